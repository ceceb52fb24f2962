import { afterAll, beforeAll, describe, it } from 'vitest'
import { type Coturn, allocate, startCoturn } from '../../../tools/coturn.ts'
import { parseConfig } from '../src/config.ts'
import { createTokenService } from '../src/service.ts'
import { mintCredential } from '../src/tokens.ts'
import type { TwilioToken } from '../src/types.ts'
import { toWebHandler } from '../src/web.ts'
import { NEW_SECRET, OLD_SECRET, SID, TOKEN, basic } from './fixtures.ts'

// Real TURN: Debian's coturn checks what we mint, with coturn's own client.
// Concurrent: each turnutils_uclient run takes seconds, mostly waiting.
describe.concurrent('credentials against coturn', () => {
  let coturn: Coturn
  beforeAll(async () => {
    coturn = await startCoturn({ secrets: [NEW_SECRET, OLD_SECRET] })
  })
  afterAll(() => coturn.stop())

  async function token(secrets: string, body = '') {
    const config = parseConfig({
      NTS_ACCOUNTS: `${SID}:${TOKEN}`,
      NTS_TURN_SECRETS: secrets,
      NTS_ICE_URLS: `turn:127.0.0.1:${coturn.ports[0]}?transport=udp`,
    })
    const response = await toWebHandler(createTokenService(config).handle)(
      new Request(`http://nts.test/2010-04-01/Accounts/${SID}/Tokens.json`, {
        method: 'POST',
        body,
        headers: {
          authorization: basic(SID, TOKEN),
          'content-type': 'application/x-www-form-urlencoded',
        },
      }),
    )
    if (response.status !== 201) throw new Error(`token: ${response.status}`)
    const json = (await response.json()) as TwilioToken
    return { username: json.ice_servers[0]!.username!, password: json.ice_servers[0]!.credential! }
  }

  it('allocates a relay with a minted credential, over UDP and TCP', async ({ expect }) => {
    const { username, password } = await token(NEW_SECRET)
    expect((await allocate(coturn.ports[0]!, username, password)).ok).toBe(true)
    expect((await allocate(coturn.ports[0]!, username, password, { tcp: true })).ok).toBe(true)
  })

  it('refuses a credential once its TTL has passed', async ({ expect }) => {
    const { username, password } = await token(NEW_SECRET, 'Ttl=1')
    expect((await allocate(coturn.ports[0]!, username, password)).ok).toBe(true)
    const expiry = Number(username.split(':')[0]) * 1000
    await new Promise((resolve) => setTimeout(resolve, expiry - Date.now() + 1100))
    const late = await allocate(coturn.ports[0]!, username, password)
    expect(late.ok).toBe(false)
    expect(coturn.log()).toContain(`Cannot find credentials of user <${username}>`)
  })

  it('refuses a credential signed with a wrong secret', async ({ expect }) => {
    const { username, password } = await token('not-the-secret')
    expect((await allocate(coturn.ports[0]!, username, password)).ok).toBe(false)
  })

  it('refuses a tampered username', async ({ expect }) => {
    const { username, password } = await token(NEW_SECRET)
    const later = `${Number(username.split(':')[0]) + 3600}:${username.split(':')[1]}`
    expect((await allocate(coturn.ports[0]!, later, password)).ok).toBe(false)
  })

  it('accepts a labelled username (<expiry>:<label>:<id>)', async ({ expect }) => {
    const { username, password } = mintCredential({
      secret: NEW_SECRET,
      ttl: 60,
      now: Date.now(),
      label: 'alice',
    })
    expect((await allocate(coturn.ports[0]!, username, password)).ok).toBe(true)
  })

  it('keeps tokens signed with the old secret working during rotation', async ({ expect }) => {
    // before rotation the server signs with the old secret alone
    const old = await token(OLD_SECRET)
    // rotation: NTS_TURN_SECRETS=new,old — new tokens are signed with the new secret
    const fresh = await token(`${NEW_SECRET},${OLD_SECRET}`)
    expect(fresh.password).not.toBe(old.password)
    expect((await allocate(coturn.ports[0]!, old.username, old.password)).ok).toBe(true)
    expect((await allocate(coturn.ports[0]!, fresh.username, fresh.password)).ok).toBe(true)
  })

  it('refuses old-secret tokens once coturn forgets the old secret (the control)', async ({
    expect,
  }) => {
    const onlyNew = await startCoturn({ secrets: [NEW_SECRET] })
    try {
      const old = await token(OLD_SECRET)
      const fresh = await token(`${NEW_SECRET},${OLD_SECRET}`)
      expect((await allocate(onlyNew.ports[0]!, old.username, old.password)).ok).toBe(false)
      expect((await allocate(onlyNew.ports[0]!, fresh.username, fresh.password)).ok).toBe(true)
    } finally {
      await onlyNew.stop()
    }
  })
})

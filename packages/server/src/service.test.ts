import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { TwilioToken } from './types.ts'
import { createTokenService } from './service.ts'
import { toWebHandler } from './web.ts'
import {
  OTHER_SID,
  OTHER_TOKEN,
  SECRET,
  SECRETS,
  SID,
  TOKEN,
  basic,
  testConfig,
} from '../test/fixtures.ts'

const NOW = Date.UTC(2020, 4, 1, 1, 42, 57)
const PATH = `/2010-04-01/Accounts/${SID}/Tokens.json`

function handlerFor(env = {}, file?: Parameters<typeof testConfig>[1]) {
  return toWebHandler(createTokenService(testConfig(env, file), { now: () => NOW }).handle)
}
const handler = handlerFor()

function post(
  body: string | null = '',
  headers: Record<string, string> = {},
  path = PATH,
  method = 'POST',
  to = handler,
) {
  return to(
    new Request(`http://nts.test${path}`, {
      method,
      body,
      headers: {
        authorization: basic(SID, TOKEN),
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
    }),
  )
}

async function expectError(response: Response, status: number, code: number) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  const text = await response.text()
  for (const secret of SECRETS) expect(text).not.toContain(secret)
  const body = JSON.parse(text)
  expect(body).toEqual({
    code,
    message: expect.any(String),
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  })
  return body as { message: string }
}

describe('POST /2010-04-01/Accounts/{AccountSid}/Tokens.json', () => {
  it('creates a token shaped like Twilio’s', async () => {
    const response = await post()
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const token = (await response.json()) as TwilioToken
    const expiry = NOW / 1000 + 86400
    expect(token).toEqual({
      account_sid: SID,
      date_created: 'Fri, 01 May 2020 01:42:57 +0000',
      date_updated: 'Fri, 01 May 2020 01:42:57 +0000',
      ttl: '86400',
      username: expect.stringMatching(new RegExp(`^${expiry}:[0-9a-f]{32}$`)),
      password: createHmac('sha1', SECRET).update(token.username).digest('base64'),
      ice_servers: [
        { url: 'stun:global.stun.example.com:3478', urls: 'stun:global.stun.example.com:3478' },
        {
          url: 'turn:global.turn.example.com:3478?transport=udp',
          urls: 'turn:global.turn.example.com:3478?transport=udp',
          username: token.username,
          credential: token.password,
        },
        {
          url: 'turns:global.turn.example.com:443?transport=tcp',
          urls: 'turns:global.turn.example.com:443?transport=tcp',
          username: token.username,
          credential: token.password,
        },
      ],
    })
  })

  it('answers the same without .json', async () => {
    expect((await post('', {}, PATH.replace('.json', ''))).status).toBe(201)
  })

  it('honours Ttl', async () => {
    const token = (await (await post('Ttl=3600')).json()) as TwilioToken
    expect(token.ttl).toBe('3600')
    expect(token.username.split(':')[0]).toBe(String(NOW / 1000 + 3600))
  })

  it('mints a unique username per token', async () => {
    const names = await Promise.all(
      Array.from(
        { length: 50 },
        async () => ((await (await post()).json()) as TwilioToken).username,
      ),
    )
    expect(new Set(names).size).toBe(50)
  })

  it('accepts a form content type with parameters and no content type on an empty body', async () => {
    expect(
      (await post('Ttl=60', { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }))
        .status,
    ).toBe(201)
    const bare = await handler(
      new Request(`http://nts.test${PATH}`, {
        method: 'POST',
        headers: { authorization: basic(SID, TOKEN) },
      }),
    )
    expect(bare.status).toBe(201)
  })

  it.each(['0', '-1', '86401', '1.5', 'abc', '', ' 60', '1e3', '99999999999'])(
    'refuses Ttl=%j with a 400 naming Ttl and the range',
    async (ttl) => {
      const body = await expectError(await post(`Ttl=${encodeURIComponent(ttl)}`), 400, 20001)
      expect(body.message).toContain('Ttl')
      expect(body.message).toContain('from 1 to 86400')
    },
  )

  it('lowers the range and the default with NTS_MAX_TTL', async () => {
    const lowered = handlerFor({ NTS_MAX_TTL: '600' })
    const request = (body: string) => post(body, {}, PATH, 'POST', lowered)
    expect(((await (await request('')).json()) as TwilioToken).ttl).toBe('600')
    const body = await expectError(await request('Ttl=601'), 400, 20001)
    expect(body.message).toContain('from 1 to 600')
  })
})

describe('regions', () => {
  const regional = handlerFor(
    {},
    { regions: { frankfurt: ['turn:frankfurt.turn.example.com:3478'] } },
  )
  const request = (body: string) => post(body, {}, PATH, 'POST', regional)

  it('pins the answer to a region', async () => {
    const token = (await (await request('Region=frankfurt')).json()) as TwilioToken
    expect(token.ice_servers.map((server) => server.urls)).toEqual([
      'turn:frankfurt.turn.example.com:3478',
    ])
  })

  it('refuses an unknown region, listing the known ones', async () => {
    const body = await expectError(await request('Region=mars'), 400, 20001)
    expect(body.message).toContain('Region')
    expect(body.message).toContain('global, frankfurt')
  })
})

describe('authentication', () => {
  it.each([
    ['missing', undefined],
    ['another scheme', `Bearer ${TOKEN}`],
    ['not base64', 'Basic !!!'],
    ['without a colon', 'Basic ' + Buffer.from(SID + TOKEN).toString('base64')],
    ['a wrong token', basic(SID, 'wrong')],
    ['an empty token', basic(SID, '')],
    ['another account’s credentials', basic(OTHER_SID, OTHER_TOKEN)],
    ['a user that is not the path’s account', basic(OTHER_SID, TOKEN)],
  ])('refuses %s with 401 / 20003', async (_, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {}
    const response = await handler(
      new Request(`http://nts.test${PATH}`, { method: 'POST', headers }),
    )
    await expectError(response, 401, 20003)
  })

  it('refuses an account that is not configured', async () => {
    const sid = 'AC' + 'c3'.repeat(16)
    await expectError(
      await post('', { authorization: basic(sid, TOKEN) }, PATH.replace(SID, sid)),
      401,
      20003,
    )
  })

  it('accepts the token of an account configured by its SHA-256', async () => {
    const hex = createHash('sha256').update(TOKEN).digest('hex')
    const hashed = handlerFor({ NTS_ACCOUNTS: `${SID}:sha256:${hex}` })
    expect((await post('', {}, PATH, 'POST', hashed)).status).toBe(201)
    const wrong = await post('', { authorization: basic(SID, hex) }, PATH, 'POST', hashed)
    expect(wrong.status).toBe(401) // the hash itself is not a password
  })

  it('accepts the other configured account on its own path', async () => {
    const response = await post(
      '',
      { authorization: basic(OTHER_SID, OTHER_TOKEN) },
      PATH.replace(SID, OTHER_SID),
    )
    expect(response.status).toBe(201)
  })

  it('treats the scheme name case-insensitively', async () => {
    const response = await post('', { authorization: basic(SID, TOKEN).replace('Basic', 'basic') })
    expect(response.status).toBe(201)
  })
})

describe('other errors', () => {
  it.each(['GET', 'PUT', 'DELETE'])('answers %s on the list with 405', async (method) => {
    const response = await post(null, {}, PATH, method)
    expect(response.headers.get('allow')).toBe('POST')
    await expectError(response, 405, 20004)
  })

  it.each([
    '/',
    '/2010-04-01/Accounts',
    `${PATH}/extra`,
    '/../etc/passwd',
    `/2010-04-01/Accounts/${SID}/Calls.json`,
  ])('answers %s with 404 / 20404', async (path) => {
    await expectError(await post('', {}, path), 404, 20404)
  })

  it('answers an oversized body with 413', async () => {
    await expectError(await post('Ttl=1&pad=' + 'x'.repeat(20_000)), 413, 20413)
  })

  it.each(['application/json', 'multipart/form-data; boundary=x', 'text/plain'])(
    'answers Content-Type %s with 415',
    async (type) => {
      await expectError(await post('{"Ttl":60}', { 'content-type': type }), 415, 20415)
    },
  )

  it('serves /healthz', async () => {
    const response = await handler(new Request('http://nts.test/healthz'))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })
})

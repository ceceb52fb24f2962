import twilio from 'twilio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, serve } from '../src/serve.ts'
import { silentLogger } from '../src/logger.ts'
import { sign } from '../src/tokens.ts'
import { ENV, SECRET, SID, TOKEN } from './fixtures.ts'

// Interop with Twilio's official Node SDK, unchanged but for its base URL.
describe('twilio-node against nts', () => {
  let running: RunningServer
  beforeAll(async () => {
    running = await serve({ env: ENV, logger: silentLogger })
  })
  afterAll(() => running.close())

  const client = (token = TOKEN) => {
    const c = twilio(SID, token)
    c.api.baseUrl = running.url
    return c
  }

  it('creates a token with the default ttl and reads every field', async () => {
    const before = Date.now() / 1000
    const token = await client().tokens.create()
    expect(token.accountSid).toBe(SID)
    expect(token.ttl).toBe('86400')
    expect(token.dateCreated).toBeInstanceOf(Date)
    expect(token.dateUpdated).toEqual(token.dateCreated)
    expect(Math.abs(token.dateCreated.getTime() / 1000 - before)).toBeLessThan(5)
    const expiry = Number(token.username.split(':')[0])
    expect(expiry - before).toBeGreaterThanOrEqual(86400)
    expect(expiry - before).toBeLessThanOrEqual(86402)
    expect(token.password).toBe(sign(SECRET, token.username))
    expect(token.iceServers).toHaveLength(3)
    const [stun, turn] = token.iceServers
    expect(stun).toEqual({
      url: 'stun:global.stun.example.com:3478',
      urls: 'stun:global.stun.example.com:3478',
    })
    expect(turn).toMatchObject({ username: token.username, credential: token.password })
  })

  it('creates a token with ttl 3600', async () => {
    const before = Date.now() / 1000
    const token = await client().tokens.create({ ttl: 3600 })
    const after = Date.now() / 1000
    expect(token.ttl).toBe('3600')
    // valid for at least the ttl: the expiry is rounded up to the next second
    const expiry = Number(token.username.split(':')[0])
    expect(expiry).toBeGreaterThanOrEqual(Math.ceil(before) + 3600)
    expect(expiry).toBeLessThanOrEqual(Math.ceil(after) + 3600)
  })

  it('surfaces a bad auth token as RestException 20003', async () => {
    const error = await client('wrong-token')
      .tokens.create()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(twilio.RestException)
    expect(error).toMatchObject({ status: 401, code: 20003 })
  })

  it('surfaces a bad ttl as RestException 400 naming Ttl', async () => {
    const error = await client()
      .tokens.create({ ttl: 100000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(twilio.RestException)
    expect(error).toMatchObject({ status: 400, code: 20001 })
    expect((error as Error).message).toContain('Ttl')
  })
})

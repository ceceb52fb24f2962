import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TwilioError } from './errors.ts'
import { type IceServersHandlerOptions, createIceServersHandler } from './iceServers.ts'
import { silentLogger } from './logger.ts'
import { type RunningServer, serve } from './serve.ts'
import { clientKey } from './service.ts'
import type { TwilioToken } from './types.ts'
import { ENV } from '../test/fixtures.ts'

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0)
const SECRET = 'browser-secret'
const APP = 'https://app.example.com'

const handlerWith = (options: Partial<IceServersHandlerOptions> = {}) =>
  createIceServersHandler({
    secrets: [SECRET],
    iceUrls: {
      global: ['turn:global.turn.example.com:3478'],
      eu: ['turn:eu.turn.example.com:3478'],
    },
    now: () => NOW,
    ...options,
  })

function post(
  handler: (request: Request) => Promise<Response>,
  body: unknown = {},
  headers: Record<string, string> = {},
) {
  return handler(
    new Request('http://app.test/api/ice-servers', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    }),
  )
}

async function expectError(response: Response, status: number, text?: string) {
  expect(response.status).toBe(status)
  const body = (await response.json()) as { status: number; message: string }
  expect(body.status).toBe(status)
  if (text) expect(body.message).toContain(text)
  expect(JSON.stringify(body)).not.toContain(SECRET)
}

describe('createIceServersHandler', () => {
  it('answers a Twilio-shaped token, 3600 s by default', async () => {
    const response = await post(handlerWith())
    expect(response.status).toBe(201)
    const token = (await response.json()) as TwilioToken
    expect(token.ttl).toBe('3600')
    expect(token.username).toMatch(new RegExp(`^${NOW / 1000 + 3600}:[0-9a-f]{32}$`))
    expect(token.password).toBe(createHmac('sha1', SECRET).update(token.username).digest('base64'))
    expect(token.ice_servers).toEqual([
      {
        url: 'turn:global.turn.example.com:3478',
        urls: 'turn:global.turn.example.com:3478',
        username: token.username,
        credential: token.password,
      },
    ])
  })

  it('honours ttl and region, and an empty body', async () => {
    const token = (await (
      await post(handlerWith(), { ttl: 60, region: 'eu' })
    ).json()) as TwilioToken
    expect(token.ttl).toBe('60')
    expect(token.ice_servers[0]!.urls).toBe('turn:eu.turn.example.com:3478')
    expect((await post(handlerWith(), '', { 'content-type': '' })).status).toBe(201)
  })

  it('puts the label from authorize into the username', async () => {
    const handler = handlerWith({ authorize: (request) => request.headers.get('x-user') ?? false })
    const token = (await (
      await post(handler, {}, { 'x-user': 'alice@example.com' })
    ).json()) as TwilioToken
    expect(token.username).toMatch(
      new RegExp(`^${NOW / 1000 + 3600}:alice@example.com:[0-9a-f]{32}$`),
    )
    const odd = (await (await post(handler, {}, { 'x-user': 'a:b c' })).json()) as TwilioToken
    expect(odd.username.split(':')[1]).toBe('a_b_c')
  })

  it('refuses when authorize refuses', async () => {
    await expectError(
      await post(handlerWith({ authorize: async () => false })),
      403,
      'Not authorized',
    )
    const custom = handlerWith({
      authorize: () => {
        throw new TwilioError(401, 20003, 'Sign in first')
      },
    })
    await expectError(await post(custom), 401, 'Sign in first')
  })

  it.each([
    ['invalid JSON', '{"ttl":', 'Invalid JSON'],
    ['an array', '[]', 'must be an object'],
    ['null', 'null', 'must be an object'],
    ['an unknown field', { ttl: 60, user: 'x' }, 'Unknown field "user"'],
    ['ttl as a string', { ttl: '60' }, 'ttl must be an integer number of seconds from 1 to 86400'],
    ['a fractional ttl', { ttl: 1.5 }, 'from 1 to 86400'],
    ['ttl 0', { ttl: 0 }, 'from 1 to 86400'],
    ['ttl over the maximum', { ttl: 86401 }, 'from 1 to 86400'],
    ['a huge ttl', { ttl: 1e300 }, 'from 1 to 86400'],
    ['a region that is not a string', { region: 5 }, 'global, eu'],
    [
      'an unknown region',
      { region: 'mars' },
      'region must be one of the known regions: global, eu',
    ],
  ])('answers %s with a clear 400', async (_, body, message) => {
    await expectError(await post(handlerWith(), body), 400, message)
  })

  it('answers a form body with 415 and GET with 405', async () => {
    await expectError(
      await post(handlerWith(), 'ttl=60', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
    )
    const response = await handlerWith()(new Request('http://app.test/api/ice-servers'))
    expect(response.headers.get('allow')).toBe('POST, OPTIONS')
    await expectError(response, 405)
  })

  it('validates its options', () => {
    expect(() => createIceServersHandler({ secrets: [] })).toThrow(/secrets/)
    expect(() => createIceServersHandler({ secrets: 's', iceUrls: { eu: ['stun:a'] } })).toThrow(
      /global/,
    )
  })
})

describe('CORS', () => {
  const handler = handlerWith({ allowedOrigins: [APP] })
  const preflight = (origin: string) =>
    handler(
      new Request('http://api.test/v1/ice-servers', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-csrf-token',
        },
      }),
    )

  it('answers a preflight from an allowed origin', async () => {
    const response = await preflight(APP)
    expect(response.status).toBe(204)
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type, x-csrf-token',
      'access-control-max-age': '600',
      vary: 'Origin',
    })
  })

  it('refuses a preflight and a request from another origin', async () => {
    const response = await preflight('https://evil.example.com')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    await expectError(response, 403, 'Origin https://evil.example.com is not allowed')
    await expectError(await post(handler, {}, { origin: 'https://evil.example.com' }), 403)
  })

  it('lets the page read the answer and Retry-After', async () => {
    const response = await post(handler, {}, { origin: APP })
    expect(response.status).toBe(201)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP)
    expect(response.headers.get('access-control-expose-headers')).toBe('retry-after')
  })
})

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit, per client', async () => {
    const handler = handlerWith({ rateLimit: { points: 3, duration: 60 } })
    const from = (ip: string) => post(handler, {}, { 'x-forwarded-for': `${ip}, 10.0.0.1` })
    for (let i = 0; i < 3; i++) expect((await from('192.0.2.1')).status).toBe(201)
    const refused = await from('192.0.2.1')
    expect(refused.headers.get('retry-after')).toMatch(/^(59|60)$/)
    await expectError(refused, 429, 'Too many requests')
    expect((await from('192.0.2.2')).status).toBe(201)
  })

  it('lets every request through without a limit (the control)', async () => {
    const handler = handlerWith()
    for (let i = 0; i < 10; i++) expect((await post(handler)).status).toBe(201)
  })
})

describe('clientKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'shared'],
  ])('keys %s as %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key)
  })
})

describe('POST /v1/ice-servers on the standalone server', () => {
  let running: RunningServer
  beforeAll(async () => {
    running = await serve({
      env: { ...ENV, NTS_ALLOWED_ORIGINS: APP, NTS_RATE_LIMIT: '3/min' },
      logger: silentLogger,
    })
  })
  afterAll(() => running.close())

  const call = (init: RequestInit) => fetch(`${running.url}/v1/ice-servers`, init)
  const json = (body: string, origin = APP) =>
    call({ method: 'POST', body, headers: { 'content-type': 'application/json', origin } })

  it('answers CORS preflight, refuses other origins, bad JSON, then rate-limits by socket address', async () => {
    const preflight = await call({
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP)
    expect((await json('{}', 'https://evil.example.com')).status).toBe(403)

    const ok = await json('{"ttl":120,"region":"global"}')
    expect(ok.status).toBe(201)
    const token = (await ok.json()) as TwilioToken
    expect(token.ttl).toBe('120')
    expect(token.ice_servers).toHaveLength(3)

    expect((await json('{"ttl":')).status).toBe(400)
    expect((await json('{}')).status).toBe(201)
    // three requests passed the limiter (the 403 never reached it): the fourth is refused
    const limited = await json('{}')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // a forged X-Forwarded-For does not escape the limit standalone
    const forged = await call({
      method: 'POST',
      body: '{}',
      headers: {
        'content-type': 'application/json',
        origin: APP,
        'x-forwarded-for': '203.0.113.9',
      },
    })
    expect(forged.status).toBe(429)
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type RunningServer, serve } from '@nts/server'
import { IceServersError, fetchIceServers } from './fetchIceServers.ts'

const SID = 'AC' + 'a1'.repeat(16)

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  vi.fn(async () => new Response(JSON.stringify(body), { status, headers }))

describe('fetchIceServers against @nts/server', () => {
  let running: RunningServer
  beforeAll(async () => {
    running = await serve({
      env: {
        NTS_ACCOUNTS: `${SID}:token`,
        NTS_TURN_SECRETS: 'secret',
        NTS_PORT: '0',
        NTS_LOG: 'off',
        NTS_ICE_URLS: 'stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp',
      },
    })
  })
  afterAll(() => running.close())

  it('normalises the Twilio-shaped answer and dates expiry from the request', async () => {
    const before = Date.now()
    const result = await fetchIceServers({ endpoint: `${running.url}/v1/ice-servers`, ttl: 600 })
    expect(result.ttl).toBe(600)
    expect(result.expiresAt).toBeGreaterThanOrEqual(before + 600_000)
    expect(result.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000)
    const [stun, turn] = result.iceServers
    expect(stun).toEqual({ urls: 'stun:127.0.0.1:3478' })
    expect(turn).toEqual({
      urls: 'turn:127.0.0.1:3478?transport=udp',
      username: expect.stringMatching(/^\d+:[0-9a-f]{32}$/),
      credential: expect.any(String),
    })
  })

  it('surfaces a 400 with the server’s message', async () => {
    const error = await fetchIceServers({
      endpoint: `${running.url}/v1/ice-servers`,
      ttl: 0,
    }).catch((e) => e)
    expect(error).toBeInstanceOf(IceServersError)
    expect(error).toMatchObject({ status: 400 })
    expect(error.message).toContain('ttl must be an integer number of seconds from 1 to 86400')
  })
})

describe('fetchIceServers', () => {
  it('accepts a Cloudflare-shaped answer, as an object or a list', async () => {
    const server = { urls: ['turn:turn.cloudflare.com:3478'], username: 'u', credential: 'c' }
    for (const iceServers of [server, [server]]) {
      const result = await fetchIceServers({ ttl: 60, fetch: answer(201, { iceServers }) })
      expect(result.iceServers).toEqual([server])
      expect(result.ttl).toBe(60)
    }
  })

  it('sends ttl and region as JSON to the endpoint', async () => {
    const fetch = answer(201, { ice_servers: [], ttl: '60' })
    await fetchIceServers({
      endpoint: '/api/ice',
      ttl: 60,
      region: 'eu',
      fetch,
      headers: { 'x-csrf': '1' },
    })
    expect(fetch).toHaveBeenCalledWith('/api/ice', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf': '1' },
      body: '{"ttl":60,"region":"eu"}',
      signal: undefined,
    })
  })

  it('ignores the server’s clock: expiry is the send time plus ttl', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) })
    try {
      const fetch = answer(201, {
        ice_servers: [],
        ttl: '3600',
        date_created: 'Fri, 01 May 2020 01:42:57 +0000',
      })
      const result = await fetchIceServers({ fetch })
      expect(result.expiresAt).toBe(Date.UTC(2026, 0, 1) + 3_600_000)
    } finally {
      vi.useRealTimers()
    }
  })

  it('reports Retry-After in seconds, as a number or a date', async () => {
    const seconds = await fetchIceServers({
      fetch: answer(429, { message: 'slow down' }, { 'retry-after': '30' }),
    }).catch((e) => e)
    expect(seconds).toMatchObject({ status: 429, retryAfter: 30 })
    expect(seconds.message).toContain('slow down')
    const date = new Date(Date.now() + 20_000).toUTCString()
    const byDate = await fetchIceServers({ fetch: answer(503, {}, { 'retry-after': date }) }).catch(
      (e) => e,
    )
    expect(byDate.retryAfter).toBeGreaterThanOrEqual(19)
    expect(byDate.retryAfter).toBeLessThanOrEqual(21)
  })

  it('turns a network failure into status 0 and keeps an abort an abort', async () => {
    const down = await fetchIceServers({ endpoint: 'http://127.0.0.1:1/x' }).catch((e) => e)
    expect(down).toBeInstanceOf(IceServersError)
    expect(down).toMatchObject({ status: 0 })
    const controller = new AbortController()
    controller.abort()
    const aborted = await fetchIceServers({
      endpoint: 'http://127.0.0.1:1/x',
      signal: controller.signal,
    }).catch((e) => e)
    expect(aborted).not.toBeInstanceOf(IceServersError)
    expect(aborted.name).toBe('AbortError')
  })

  it('refuses an answer without ICE servers or ttl', async () => {
    await expect(fetchIceServers({ fetch: answer(200, { hello: 1 }) })).rejects.toThrow(
      /without ICE servers/,
    )
    await expect(fetchIceServers({ fetch: answer(200, { iceServers: [] }) })).rejects.toThrow(/ttl/)
  })
})

import { QueryClient, QueryClientProvider, focusManager, useQuery } from '@tanstack/react-query'
import { act, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fetchIceServers } from '@nts/client'
import { iceServersQueryOptions } from './iceServersQueryOptions.ts'
import { type UseIceServersOptions, useIceServers } from './useIceServers.ts'

const HOUR = 3_600_000

/** A token endpoint at the network boundary: answers like @nts/server, or fails as told. */
function endpoint() {
  const calls: number[] = []
  let fail: (() => Response) | undefined
  let latency = 0
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    calls.push(Date.now())
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency))
    if (fail) return fail()
    const { ttl = 86400 } = JSON.parse(String(init?.body)) as { ttl?: number }
    const username = `${Math.floor(Date.now() / 1000) + ttl}:${calls.length}`
    const body = {
      ice_servers: [{ url: 'turn:t', urls: 'turn:t', username, credential: 'c' }],
      ttl: String(ttl),
      username,
      password: 'c',
    }
    return new Response(JSON.stringify(body), { status: 201 })
  })
  return {
    calls,
    failWith(response?: () => Response) {
      fail = response
    },
    slow(ms: number) {
      latency = ms
    },
    options: (options: UseIceServersOptions = {}): UseIceServersOptions => ({
      ...options,
      fetcher: (o) => fetchIceServers({ ...o, fetch }),
    }),
  }
}

let client: QueryClient
const wrapper = ({ children }: { children: ReactNode }) => (
  <QueryClientProvider client={client}>{children}</QueryClientProvider>
)

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 4) })
  client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
})
afterEach(() => {
  client.clear()
  focusManager.setFocused(undefined)
  vi.useRealTimers()
})

const tick = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms))

/** The credential's own expiry, in ms, from its TURN REST username. */
const usernameExpiry = (servers: RTCIceServer[]) =>
  Number(servers[0]!.username!.split(':')[0]) * 1000

describe('useIceServers', () => {
  it('shares one request among 10 consumers with the same options', async () => {
    const api = endpoint()
    const hooks = Array.from({ length: 10 }, () =>
      renderHook(() => useIceServers(api.options({ ttl: 3600 })), { wrapper }),
    )
    await tick(0)
    expect(api.calls).toHaveLength(1)
    for (const hook of hooks) {
      expect(hook.result.current.status).toBe('success')
      expect(hook.result.current.iceServers).toEqual(hooks[0]!.result.current.iceServers)
      expect(hook.result.current.rtcConfiguration).toEqual({
        iceServers: hook.result.current.iceServers,
      })
    }
  })

  it('fetches separately for other ttl or region', async () => {
    const api = endpoint()
    renderHook(() => useIceServers(api.options({ ttl: 3600 })), { wrapper })
    renderHook(() => useIceServers(api.options({ ttl: 600 })), { wrapper })
    renderHook(() => useIceServers(api.options({ ttl: 3600, region: 'eu' })), { wrapper })
    renderHook(() => useIceServers(api.options({ ttl: 3600 })), { wrapper })
    await tick(0)
    expect(api.calls).toHaveLength(3)
  })

  it('refreshes for 24 h at ttl 3600 with 31 requests, in the background, never expired', async () => {
    const api = endpoint()
    focusManager.setFocused(false) // a tab in the background
    const { result } = renderHook(() => useIceServers(api.options({ ttl: 3600 })), { wrapper })
    await tick(0)
    for (let t = 0; t < 24 * 60; t++) {
      await tick(60_000)
      const { iceServers, expiresAt } = result.current
      expect(iceServers).not.toHaveLength(0) // the previous credentials stay during a refresh
      expect(expiresAt!).toBeGreaterThan(Date.now())
      expect(usernameExpiry(iceServers)).toBeGreaterThan(Date.now())
    }
    // a refresh when 80% of each 3600 s credential has passed: at 0, 2880 s, …, 86400 s
    expect(api.calls).toHaveLength(1 + (24 * 3600) / 2880)
    expect(api.calls[1]! - api.calls[0]!).toBe(2880_000)
  })

  it('control: fetched once without refresh, the page would hold expired credentials', async () => {
    const api = endpoint()
    const naive = () =>
      useQuery({ queryKey: ['naive'], queryFn: () => api.options().fetcher!({ ttl: 3600 }) })
    const { result } = renderHook(naive, { wrapper })
    await tick(0)
    await tick(2 * HOUR)
    expect(api.calls).toHaveLength(1)
    expect(usernameExpiry(result.current.data!.iceServers)).toBeLessThan(Date.now())
  })

  it('keeps the old credentials while a slow refresh is in flight', async () => {
    const api = endpoint()
    const { result } = renderHook(() => useIceServers(api.options({ ttl: 100 })), { wrapper })
    await tick(0)
    const first = result.current.iceServers
    api.slow(5_000)
    await tick(82_000) // the refresh started at 80 s and is still running
    expect(api.calls).toHaveLength(2)
    expect(result.current.iceServers).toBe(first)
    await tick(5_000)
    expect(result.current.iceServers).not.toBe(first)
    expect(usernameExpiry(result.current.iceServers)).toBeGreaterThan(Date.now() + 90_000)
  })

  it('keeps its schedule while the component re-renders every second', async () => {
    const api = endpoint()
    const { rerender } = renderHook(() => useIceServers(api.options({ ttl: 100 })), { wrapper })
    await tick(0)
    api.failWith(() => new Response('{}', { status: 500 }))
    for (let t = 0; t < 200; t++) {
      await tick(1_000)
      rerender()
    }
    // refresh at 80 s with retries to 87 s; then anew after waiting as long as the outage has
    // lasted (at least 15 s): 87 + 15 = 102, retries to 109, 109 + 29 = 138, retries to 145
    expect(api.calls.map((at) => (at - api.calls[0]!) / 1000)).toEqual([
      0, 80, 81, 83, 87, 102, 103, 105, 109, 138, 139, 141, 145,
    ])
  })

  it('honours refreshMargin', async () => {
    const api = endpoint()
    renderHook(() => useIceServers(api.options({ ttl: 3600, refreshMargin: 60 })), { wrapper })
    await tick(0)
    await tick(HOUR)
    expect(api.calls.map((at) => at - api.calls[0]!)).toEqual([0, 3540_000])
  })

  it('returns no ICE servers and the error once every refresh failed until expiry', async () => {
    const api = endpoint()
    const { result } = renderHook(() => useIceServers(api.options({ ttl: 100 })), { wrapper })
    await tick(0)
    api.failWith(() => new Response('{"message":"down"}', { status: 500 }))
    await tick(99_000)
    expect(result.current.iceServers).toHaveLength(1) // still valid
    expect(result.current.error?.message).toContain('down')
    await tick(1_001)
    expect(result.current.iceServers).toEqual([])
    expect(result.current.rtcConfiguration).toEqual({ iceServers: [] })
    expect(result.current.expiresAt).toBeUndefined()
    expect(result.current.status).toBe('error')
    // what react-query itself still holds is expired: the hook is what keeps it out
    const held = client.getQueryData(iceServersQueryOptions({ ttl: 100 }).queryKey)
    expect(held!.expiresAt).toBeLessThan(Date.now())
    api.failWith(undefined)
    await tick(15_000)
    expect(result.current.status).toBe('success')
  })

  it('backs off on 500s and network failures', async () => {
    for (const failure of [
      () => new Response('{}', { status: 500 }),
      () => {
        throw new TypeError('fetch failed')
      },
    ]) {
      const api = endpoint()
      api.failWith(failure)
      const { result, unmount } = renderHook(() => useIceServers(api.options()), { wrapper })
      await tick(60_000)
      const gaps = api.calls.slice(1).map((at, i) => at - api.calls[i]!)
      // retries after 1 s, 2 s, 4 s; then a new try after 15 s, 30 s, … each with its retries
      expect(gaps.slice(0, 8)).toEqual([1000, 2000, 4000, 15_000, 1000, 2000, 4000, 30_000])
      expect(result.current.status).toBe('error')
      unmount()
      client.clear()
    }
  })

  it('does not retry a 429 before its Retry-After: 30', async () => {
    const api = endpoint()
    api.failWith(() => new Response('{}', { status: 429, headers: { 'retry-after': '30' } }))
    const { result } = renderHook(() => useIceServers(api.options()), { wrapper })
    await tick(29_900)
    expect(api.calls).toHaveLength(1)
    api.failWith(undefined)
    await tick(200)
    expect(api.calls).toHaveLength(2)
    expect(api.calls[1]! - api.calls[0]!).toBeGreaterThanOrEqual(30_000)
    expect(result.current.status).toBe('success')
  })

  it('control: a 503 without Retry-After is retried within seconds', async () => {
    const api = endpoint()
    api.failWith(() => new Response('{}', { status: 503 }))
    renderHook(() => useIceServers(api.options()), { wrapper })
    await tick(5_000)
    expect(api.calls.length).toBeGreaterThan(1)
  })

  it('does not retry a refusal (403)', async () => {
    const api = endpoint()
    api.failWith(() => new Response('{"message":"no"}', { status: 403 }))
    const { result } = renderHook(() => useIceServers(api.options()), { wrapper })
    await tick(10_000)
    expect(api.calls).toHaveLength(1)
    expect(result.current.status).toBe('error')
  })

  it('leaves no timer or request running once the last consumer unmounts', async () => {
    const api = endpoint()
    const first = renderHook(() => useIceServers(api.options({ ttl: 600 })), { wrapper })
    const second = renderHook(() => useIceServers(api.options({ ttl: 600 })), { wrapper })
    await tick(0)
    first.unmount()
    await tick(600_000)
    expect(api.calls).toHaveLength(2) // the remaining consumer still refreshes
    second.unmount()
    await tick(5 * 60_000) // react-query's cache time
    expect(vi.getTimerCount()).toBe(0)
    await tick(24 * HOUR)
    expect(api.calls).toHaveLength(2)
  })

  it('fetches nothing while disabled', async () => {
    const api = endpoint()
    const { result } = renderHook(() => useIceServers(api.options({ enabled: false })), { wrapper })
    await tick(10_000)
    expect(api.calls).toHaveLength(0)
    expect(result.current.status).toBe('pending')
  })
})

import { type QueryClient, queryOptions } from '@tanstack/react-query'
import {
  type FetchIceServersOptions,
  type IceServers,
  IceServersError,
  fetchIceServers,
} from '@nts/client'

export interface IceServersQueryOptions {
  /** Requested credential lifetime in seconds. @default the server's default */
  ttl?: number
  /** Region to pin to. */
  region?: string
  /** @default '/v1/ice-servers' */
  endpoint?: string
  /** Replaces {@link fetchIceServers}, e.g. to add headers or call another backend. */
  fetcher?: (options: FetchIceServersOptions) => Promise<IceServers>
  /**
   * Seconds before expiry at which fresh credentials are fetched.
   * @default 20% of the granted ttl (a 3600 s credential is refreshed after 2880 s)
   */
  refreshMargin?: number
}

const MAX_RETRIES = 3
// After a fetch and its retries failed, wait at least this long, growing with the outage.
const AFTER_FAILURE_MS = 15_000
const MAX_WAIT_MS = 300_000
// Per query client and endpoint: the earliest moment it may be asked again (Retry-After).
const notBefore = new WeakMap<QueryClient, Map<string, number>>()

const refreshAt = (data: IceServers, margin?: number) =>
  data.expiresAt - (margin ?? data.ttl * 0.2) * 1000

const retryAfterMs = (error: unknown) =>
  error instanceof IceServersError && error.retryAfter ? error.retryAfter * 1000 : 0

const retryable = (error: unknown) =>
  !(error instanceof IceServersError) ||
  error.status === 0 ||
  error.status === 429 ||
  error.status >= 500

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })

/**
 * The react-query options behind `useIceServers`, for prefetching, route loaders or
 * `setQueryData` with the same key. Refreshes before expiry (also in the background),
 * retries failures with backoff, and never asks again before a `Retry-After` has passed.
 *
 * @example
 * ```ts
 * await queryClient.prefetchQuery(iceServersQueryOptions({ ttl: 3600 }))
 * ```
 */
export function iceServersQueryOptions(options: IceServersQueryOptions = {}) {
  const { ttl, region, endpoint, refreshMargin, fetcher = fetchIceServers } = options
  const gate = endpoint ?? ''
  return queryOptions({
    queryKey: ['nts', 'ice-servers', { endpoint, ttl, region }] as const,
    queryFn: async ({ signal, client }) => {
      let gates = notBefore.get(client)
      if (!gates) notBefore.set(client, (gates = new Map()))
      const wait = (gates.get(gate) ?? 0) - Date.now()
      if (wait > 0) await sleep(wait, signal)
      try {
        return await fetcher({ endpoint, ttl, region, signal })
      } catch (error) {
        const delay = retryAfterMs(error)
        if (delay) gates.set(gate, Date.now() + delay)
        throw error
      }
    },
    // a duration from dataUpdatedAt
    staleTime: ({ state }) =>
      state.data ? refreshAt(state.data, refreshMargin) - state.dataUpdatedAt : 0,
    // Recomputed on every render: so it returns the time left until a fixed moment.
    refetchInterval: ({ state }) => {
      const { data, error, errorUpdatedAt, errorUpdateCount } = state
      if (state.fetchStatus !== 'idle') return false
      const due = data ? refreshAt(data, refreshMargin) - Date.now() : 0
      if (due > 0) return due
      if (!error || !retryable(error)) return false
      // After a failed fetch and its retries, wait as long as the outage has lasted (15 s to
      // 5 min), then fetch anew: retries pause in background tabs, refetches do not.
      const outage = data
        ? errorUpdatedAt - refreshAt(data, refreshMargin)
        : AFTER_FAILURE_MS * 2 ** (errorUpdateCount - 1)
      const wait = Math.max(
        Math.min(Math.max(outage, AFTER_FAILURE_MS), MAX_WAIT_MS),
        retryAfterMs(error),
      )
      return Math.max(errorUpdatedAt + wait - Date.now(), 1)
    },
    refetchIntervalInBackground: true,
    retry: (failures, error) =>
      failures < MAX_RETRIES &&
      (!(error instanceof IceServersError) ||
        error.status === 0 ||
        error.status === 429 ||
        error.status >= 500),
    retryDelay: (failures, error) =>
      Math.max(Math.min(1000 * 2 ** failures, 30_000), retryAfterMs(error)),
  })
}

'use client'
import { useEffect, useMemo, useReducer } from 'react'
import { useQuery } from '@tanstack/react-query'
import { type IceServersQueryOptions, iceServersQueryOptions } from './iceServersQueryOptions.ts'

export interface UseIceServersOptions extends IceServersQueryOptions {
  /** Set to false to fetch nothing yet. @default true */
  enabled?: boolean
}

export interface UseIceServersResult {
  /** Valid ICE servers, or `[]` while none are: never expired credentials. */
  iceServers: RTCIceServer[]
  /** `{ iceServers }` for `new RTCPeerConnection(...)`; stable until the credentials change. */
  rtcConfiguration: RTCConfiguration
  /** When the current credentials expire (ms, this page's clock), if there are any. */
  expiresAt: number | undefined
  /** `success` while valid credentials are held; `error` once none are and the last fetch failed. */
  status: 'pending' | 'success' | 'error'
  /** The last failure (also while retrying, and while still-valid credentials are served). */
  error: Error | null
  /** Fetches fresh credentials now. */
  refetch: () => Promise<unknown>
}

const NONE: RTCIceServer[] = []

/**
 * Short-lived ICE servers from the app's endpoint, shared by every component that asks
 * with the same options, refreshed before they expire and never handed out expired.
 * Needs a `QueryClientProvider` above it.
 *
 * @example
 * ```tsx
 * function Call() {
 *   const { rtcConfiguration, status } = useIceServers({ ttl: 3600 })
 *   if (status !== 'success') return <p>Getting TURN credentials…</p>
 *   return <Room config={rtcConfiguration} />
 * }
 * ```
 */
export function useIceServers(options: UseIceServersOptions = {}): UseIceServersResult {
  const { enabled = true, ...rest } = options
  const query = useQuery({ ...iceServersQueryOptions(rest), enabled })
  const [, expired] = useReducer((n: number) => n + 1, 0)
  const data = query.data
  const valid = data !== undefined && data.expiresAt > Date.now()

  // Render again the moment the credentials expire, in case no refresh replaced them.
  useEffect(() => {
    if (!valid) return
    const timer = setTimeout(expired, data.expiresAt - Date.now() + 1)
    return () => clearTimeout(timer)
  }, [data, valid])

  const error = query.error ?? query.failureReason
  const iceServers = valid ? data.iceServers : NONE
  const rtcConfiguration = useMemo(() => ({ iceServers }), [iceServers])
  return {
    iceServers,
    rtcConfiguration,
    expiresAt: valid ? data.expiresAt : undefined,
    status: valid ? 'success' : error ? 'error' : 'pending',
    error,
    refetch: query.refetch,
  }
}

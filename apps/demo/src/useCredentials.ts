import { useEffect, useRef, useState } from 'react'
import { type IceServers, fetchIceServers, useIceServers } from '@nts/react'

export interface Credentials {
  iceServers: RTCIceServer[]
  expiresAt?: number
  error: Error | null
  /** How many times fresh credentials replaced earlier ones. */
  refreshes: number
  /** Try again now. */
  retry: () => void
}

/**
 * The demo's two ways of getting credentials: `useIceServers` (kept fresh), or a single
 * fetch kept for ever, which is what most apps do and what the "fresh" switch contrasts.
 */
export function useCredentials(options: {
  ttl: number
  region: string
  endpoint: string
  fresh: boolean
}): Credentials {
  const { ttl, region, endpoint, fresh } = options
  const hook = useIceServers({ ttl, region, endpoint, enabled: fresh })
  const [once, setOnce] = useState<{ result?: IceServers; error: Error | null }>({ error: null })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    if (fresh) return
    const controller = new AbortController()
    fetchIceServers({ ttl, region, endpoint, signal: controller.signal }).then(
      (result) => setOnce({ result, error: null }),
      (error: Error) => controller.signal.aborted || setOnce({ error }),
    )
    return () => controller.abort()
  }, [fresh, ttl, region, endpoint, attempt])

  const current = fresh
    ? { iceServers: hook.iceServers, expiresAt: hook.expiresAt, error: hook.error }
    : {
        iceServers: once.result?.iceServers ?? [],
        expiresAt: once.result?.expiresAt,
        error: once.error,
      }

  const seen = useRef({ expiresAt: undefined as number | undefined, refreshes: 0 })
  if (current.expiresAt !== undefined && current.expiresAt !== seen.current.expiresAt) {
    if (seen.current.expiresAt !== undefined) seen.current.refreshes++
    seen.current.expiresAt = current.expiresAt
  }
  const retry = () => (fresh ? void hook.refetch() : setAttempt((n) => n + 1))
  return { ...current, refreshes: seen.current.refreshes, retry }
}

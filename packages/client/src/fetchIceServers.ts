import type { IceServers, TwilioIceServer } from './types.ts'

export interface FetchIceServersOptions {
  /**
   * URL of the app's browser endpoint (never Twilio itself: that needs the auth token).
   * @default '/v1/ice-servers'
   */
  endpoint?: string
  /** Requested lifetime in seconds; the server's default when absent. */
  ttl?: number
  /** Region to pin the answer to, for servers that know regions. */
  region?: string
  signal?: AbortSignal
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** Extra request headers, e.g. a CSRF token. */
  headers?: Record<string, string>
}

/**
 * A failed request for ICE servers. `status` is 0 for a network failure;
 * `retryAfter` is the server's `Retry-After` in seconds, when it sent one.
 *
 * @example
 * ```ts
 * if (error instanceof IceServersError && error.status === 429) wait(error.retryAfter)
 * ```
 */
export class IceServersError extends Error {
  override readonly name = 'IceServersError'
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter?: number,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

function retryAfterSeconds(header: string | null, now: number): number | undefined {
  if (!header) return undefined
  const seconds = /^\d+$/.test(header) ? +header : (Date.parse(header) - now) / 1000
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined
}

const toRtc = ({ urls, username, credential }: TwilioIceServer): RTCIceServer =>
  username === undefined ? { urls } : { urls, username, credential }

/**
 * Asks the app's endpoint for ICE servers and normalises a Twilio-shaped (`ice_servers`)
 * or Cloudflare-shaped (`iceServers`) answer to `RTCIceServer[]`.
 *
 * @example
 * ```ts
 * const { iceServers, expiresAt } = await fetchIceServers({ endpoint: '/api/ice', ttl: 3600 })
 * const pc = new RTCPeerConnection({ iceServers })
 * ```
 */
export async function fetchIceServers(options: FetchIceServersOptions = {}): Promise<IceServers> {
  const { endpoint = '/v1/ice-servers', ttl, region, signal, headers } = options
  const sentAt = Date.now()
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ttl, region }),
      signal,
    })
  } catch (error) {
    if (signal?.aborted) throw error
    throw new IceServersError(`Cannot reach ${endpoint}`, 0, undefined, { cause: error })
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) {
    const message = typeof body.message === 'string' ? body.message : response.statusText
    throw new IceServersError(
      `${endpoint} answered ${response.status}: ${message}`,
      response.status,
      retryAfterSeconds(response.headers.get('retry-after'), Date.now()),
    )
  }
  const twilio = body.ice_servers as TwilioIceServer[] | undefined
  const cloudflare = body.iceServers as RTCIceServer | RTCIceServer[] | undefined
  const granted = Number(body.ttl ?? ttl)
  if ((!Array.isArray(twilio) && !cloudflare) || !(granted > 0))
    throw new IceServersError(`${endpoint} answered without ICE servers or a ttl`, response.status)
  return {
    iceServers: twilio ? twilio.map(toRtc) : ([] as RTCIceServer[]).concat(cloudflare!).map(toRtc),
    ttl: granted,
    expiresAt: sentAt + granted * 1000,
  }
}

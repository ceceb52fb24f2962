import type { Config } from './config.ts'
import { DEFAULT_REGION } from './config.ts'
import { createAuthenticator } from './auth.ts'
import {
  TwilioError,
  invalidParameter,
  notFound,
  notSupported,
  unsupportedMediaType,
} from './errors.ts'
import { type Limiter, createIceServersEndpoint } from './iceServers.ts'
import { createMinter } from './minter.ts'

/** A request reduced to what the service reads; built by the Node and the Web adapters. */
export interface PlainRequest {
  method: string
  /** Path without the query string. */
  path: string
  /** Header by lower-case name. */
  header(name: string): string | undefined
  body: string
  /** The client's address, where the transport knows it. */
  ip?: string | undefined
  /** The request as a Web `Request` (built on demand on Node). */
  toRequest(): Request
}

export interface PlainResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** What the request log may say about this request: never a secret. */
  log?: { account?: string; region?: string; code?: number }
}

export interface ServiceOptions {
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number
  /** The browser endpoint's limiter (e.g. `RateLimiterRedis`); `config.rateLimit` in memory by default. */
  limiter?: Limiter
  /** Told when the limiter's store fails. */
  onLimiterError?: (error: unknown) => void
}

/** The largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024

/**
 * The rate-limit key of a client address: IPv4 as is, IPv6 by its /64, the block one
 * subscriber gets (per-address keys would let one client rotate past the limit).
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'shared'
  if (ip.startsWith('::ffff:')) return ip.slice(7)
  if (!ip.includes(':')) return ip
  const [head = '', tail = ''] = ip.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'),
    ...right,
  ]
  return (
    groups
      .slice(0, 4)
      .map((group) => group.replace(/^0+(?=.)/, ''))
      .join(':') + '::/64'
  )
}

/** The browser endpoint's path on the standalone server. */
export const ICE_SERVERS_PATH = '/v1/ice-servers'
const TOKENS = /^\/2010-04-01\/Accounts\/([^/]+)\/Tokens(?:\.json)?$/
const FORM = 'application/x-www-form-urlencoded'
const JSON_TYPE = 'application/json'
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

export function json(status: number, body: string, log?: PlainResponse['log']): PlainResponse {
  return { status, headers: JSON_HEADERS, body, log }
}

export function errorResponse(error: TwilioError): PlainResponse {
  const response = json(error.status, JSON.stringify(error), { code: error.code })
  if (error.headers) response.headers = { ...JSON_HEADERS, ...error.headers }
  return response
}

/** Media type without parameters, lower-cased: `Text/Plain; charset=x` -> `text/plain`. */
export const mediaType = (header: string | undefined) =>
  header === undefined
    ? ''
    : header === FORM || header === JSON_TYPE
      ? header // the common case, without allocations
      : header.split(';', 1)[0]!.trim().toLowerCase()

/**
 * Validates a requested TTL in seconds: an integer from 1 to `max`; `fallback` (at most `max`) when absent.
 * `name` is the field as the caller spelled it (`Ttl` or `ttl`).
 */
export function checkTtl(name: string, value: unknown, max: number, fallback = max): number {
  if (value === undefined || value === null) return Math.min(fallback, max)
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text) || +text < 1 || +text > max)
    throw invalidParameter(`${name} must be an integer number of seconds from 1 to ${max}`)
  return +text
}

/** Looks up a region's URLs; an unknown one is a 400 that lists the known ones. */
export function checkRegion(name: string, value: unknown, regions: Map<string, string[]>): string {
  if (value === undefined || value === null) return DEFAULT_REGION
  if (typeof value === 'string' && regions.has(value)) return value
  const known = [...regions.keys()].join(', ')
  throw invalidParameter(`${name} must be one of the known regions: ${known}`)
}

/**
 * The token service's request handling, free of any transport: the Node server
 * and the Web-standard handler both feed it {@link PlainRequest}s. It serves the
 * Tokens API, `POST /v1/ice-servers` and `GET /healthz`.
 *
 * @example
 * ```ts
 * const service = createTokenService(parseConfig(process.env))
 * export default { fetch: toWebHandler(service.handle) } // Bun, Deno, Workers
 * ```
 */
export function createTokenService(config: Config, options: ServiceOptions = {}) {
  const mint = createMinter({ ...config, now: options.now })
  const noParams = new URLSearchParams()
  const authenticate = createAuthenticator(config.accounts)
  const iceServers = createIceServersEndpoint({
    secrets: config.secrets,
    iceUrls: Object.fromEntries(config.regions),
    maxTtl: config.maxTtl,
    accountSid: config.accounts.keys().next().value,
    allowedOrigins: config.allowedOrigins,
    rateLimit: options.limiter ?? config.rateLimit,
    onLimiterError: options.onLimiterError,
    // Standalone, the socket's address is the client: forwarded headers could be forged.
    rateLimitKey: (request) => clientKey(request.ip),
    now: options.now,
  })

  function createToken(request: PlainRequest, accountSid: string): PlainResponse {
    authenticate(request.header('authorization'), accountSid)
    const type = mediaType(request.header('content-type'))
    if (type !== FORM && (type !== '' || request.body.trim() !== ''))
      throw unsupportedMediaType(FORM)
    const form = request.body === '' ? noParams : new URLSearchParams(request.body)
    const ttl = checkTtl('Ttl', form.get('Ttl'), config.maxTtl)
    const region = checkRegion('Region', form.get('Region'), config.regions)
    return json(201, mint(accountSid, ttl, region), { account: accountSid, region })
  }

  function route(request: PlainRequest): PlainResponse | Promise<PlainResponse> {
    if (request.path === ICE_SERVERS_PATH) return iceServers(request)
    const tokens = TOKENS.exec(request.path)
    if (tokens) {
      if (request.method !== 'POST') throw notSupported(request.method, 'POST')
      return createToken(request, tokens[1]!)
    }
    if (request.path === '/healthz') {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        throw notSupported(request.method, 'GET, HEAD')
      return json(200, '{"status":"ok"}')
    }
    throw notFound(request.path)
  }

  return {
    handle(request: PlainRequest): PlainResponse | Promise<PlainResponse> {
      try {
        return route(request)
      } catch (error) {
        if (error instanceof TwilioError) return errorResponse(error)
        throw error
      }
    },
  }
}

export type TokenService = ReturnType<typeof createTokenService>

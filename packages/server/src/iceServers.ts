import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { DEFAULT_ICE_URLS, DEFAULT_REGION, MAX_TTL } from './config.ts'
import { TwilioError, invalidParameter, notSupported, unsupportedMediaType } from './errors.ts'
import { createMinter } from './minter.ts'
import type { PlainRequest, PlainResponse } from './service.ts'
import { checkRegion, checkTtl, errorResponse, mediaType } from './service.ts'
import { toWebHandler } from './web.ts'

/** What a rate limiter must do: `rate-limiter-flexible`'s `RateLimiterMemory` or `RateLimiterRedis`. */
export interface Limiter {
  consume(key: string): Promise<unknown>
}

export interface IceServersHandlerOptions {
  /** TURN REST API secrets shared with coturn (`static-auth-secret`); the first signs. */
  secrets: string | string[]
  /**
   * ICE URLs (`stun:`, `turn:`, `turns:`), one list for the `global` region or a list per region.
   * @default ['stun:127.0.0.1:3478', 'turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']
   */
  iceUrls?: string[] | Record<string, string[]>
  /**
   * Decides who may get credentials. Return a label (it goes into the username,
   * `<expiry>:<label>:<unique>`, so coturn's logs can attribute usage), `true` for no
   * label, or a falsy value to refuse with 403. May throw a {@link TwilioError}.
   * @default () => true
   */
  authorize?: (
    request: Request,
  ) => string | boolean | null | undefined | Promise<string | boolean | null | undefined>
  /**
   * Origins allowed to call from a browser, or `'*'`. Requests without an `Origin`
   * header (not from a browser) are not affected: `authorize` is the access control.
   * @default '*'
   */
  allowedOrigins?: string[] | '*'
  /**
   * Requests allowed per client: `{ points, duration }` (per `duration` seconds), a
   * `rate-limiter-flexible` limiter, or `false`.
   * @default false
   */
  rateLimit?: { points: number; duration: number } | Limiter | false
  /**
   * The rate-limit key of a request.
   * @default the first address of `X-Forwarded-For`, else `X-Real-IP`, else one shared key
   */
  rateLimitKey?: (request: PlainRequest) => string
  /**
   * Called when the limiter fails (its store is unreachable); the request gets a 503.
   * @default nothing
   */
  onLimiterError?: (error: unknown) => void
  /** @default 86400 */
  maxTtl?: number
  /** TTL when the request names none. @default 3600 */
  defaultTtl?: number
  /** `account_sid` of the answers. @default '' */
  accountSid?: string
  /** Clock in milliseconds, for tests. */
  now?: () => number
}

const FIELDS = new Set(['ttl', 'region'])
const CORS_HEADERS = 'content-type, authorization'

const forbidden = (message: string) => new TwilioError(403, 20403, message)

function defaultKey(request: PlainRequest) {
  const forwarded = request.header('x-forwarded-for')
  return (
    forwarded?.split(',', 1)[0]!.trim() || request.header('x-real-ip') || request.ip || 'shared'
  )
}

function parseBody(request: PlainRequest): Record<string, unknown> {
  const type = mediaType(request.header('content-type'))
  if (request.body.trim() === '') return {}
  if (type !== 'application/json') throw unsupportedMediaType('application/json')
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch {
    throw invalidParameter(
      'Invalid JSON body: send an object like {"ttl": 3600, "region": "global"}',
    )
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidParameter('The JSON body must be an object like {"ttl": 3600, "region": "global"}')
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key))
  if (unknown.length)
    throw invalidParameter(
      `Unknown field ${JSON.stringify(unknown[0]!.slice(0, 40))}: allowed are ttl, region`,
    )
  return body as Record<string, unknown>
}

const cleanLabel = (label: string) => label.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64)

/**
 * The browser-safe endpoint over transport-free requests: CORS, rate limit,
 * authorize, then a Twilio-shaped token from a JSON `{ ttl?, region? }` body.
 */
export function createIceServersEndpoint(options: IceServersHandlerOptions) {
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets
  if (!secrets.length || secrets.some((secret) => !secret))
    throw new TypeError(
      'createIceServersHandler: options.secrets must hold at least one non-empty secret',
    )
  const urls = options.iceUrls ?? DEFAULT_ICE_URLS
  const regions = new Map(Array.isArray(urls) ? [[DEFAULT_REGION, urls]] : Object.entries(urls))
  if (!regions.has(DEFAULT_REGION))
    throw new TypeError('createIceServersHandler: options.iceUrls must include a "global" region')
  const mint = createMinter({ secrets, regions, now: options.now })
  const maxTtl = options.maxTtl ?? MAX_TTL
  const defaultTtl = options.defaultTtl ?? 3600
  const origins = options.allowedOrigins ?? '*'
  const key = options.rateLimitKey ?? defaultKey
  const limit = options.rateLimit
  const limiter =
    limit && 'consume' in limit
      ? limit
      : limit
        ? new RateLimiterMemory({ points: limit.points, duration: limit.duration })
        : undefined

  function corsHeaders(origin: string | undefined): Record<string, string> {
    if (!origin) return {}
    if (origins !== '*' && !origins.includes('*') && !origins.includes(origin))
      throw forbidden(`Origin ${origin.slice(0, 100)} is not allowed to request ICE servers`)
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': 'retry-after',
      vary: 'Origin',
    }
  }

  async function rateLimit(request: PlainRequest) {
    if (!limiter) return
    try {
      await limiter.consume(key(request))
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) {
        // The limiter's store (Redis) is unreachable: fail closed, never mint unlimited.
        options.onLimiterError?.(error)
        throw new TwilioError(503, 20503, 'Rate limit store unavailable: try again shortly', {
          headers: { 'retry-after': '5' },
        })
      }
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000))
      throw new TwilioError(429, 20429, `Too many requests: retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      })
    }
  }

  async function answer(
    request: PlainRequest,
    cors: Record<string, string>,
  ): Promise<PlainResponse> {
    if (request.method === 'OPTIONS') {
      const asked = request.header('access-control-request-headers')
      return {
        status: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': asked && /^[\w\s,-]*$/.test(asked) ? asked : CORS_HEADERS,
          'access-control-max-age': '600',
        },
        body: '',
      }
    }
    if (request.method !== 'POST') throw notSupported(request.method, 'POST, OPTIONS')
    await rateLimit(request)
    const allowed = options.authorize ? await options.authorize(request.toRequest()) : true
    if (!allowed) throw forbidden('Not authorized to request ICE servers')
    const body = parseBody(request)
    // JSON carries numbers: a string ttl is a client bug worth reporting, not coercing
    const ttl = checkTtl('ttl', typeof body.ttl === 'string' ? NaN : body.ttl, maxTtl, defaultTtl)
    const region = checkRegion('region', body.region, regions)
    const label = typeof allowed === 'string' ? cleanLabel(allowed) : undefined
    return {
      status: 201,
      headers: {
        ...cors,
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      },
      body: mint(options.accountSid ?? '', ttl, region, label),
      log: { region },
    }
  }

  return async (request: PlainRequest): Promise<PlainResponse> => {
    let cors: Record<string, string> = {}
    try {
      cors = corsHeaders(request.header('origin'))
      return await answer(request, cors)
    } catch (error) {
      if (!(error instanceof TwilioError)) throw error
      const response = errorResponse(error)
      response.headers = { ...response.headers, ...cors }
      return response
    }
  }
}

/**
 * The browser endpoint as a Web-standard handler, for Next.js route handlers, Hono,
 * Deno, Bun, Cloudflare Workers or Node. Answers `POST` with JSON `{ ttl?, region? }`
 * by a Twilio-shaped token, and CORS preflights.
 *
 * @example
 * ```ts
 * // app/api/ice-servers/route.ts (Next.js)
 * const handler = createIceServersHandler({
 *   secrets: process.env.TURN_SECRET!,
 *   iceUrls: ['turn:turn.example.com:3478?transport=udp'],
 *   authorize: async (request) => (await getSession(request))?.userId ?? false,
 * })
 * export const POST = handler
 * export const OPTIONS = handler
 * ```
 */
export function createIceServersHandler(
  options: IceServersHandlerOptions,
): (request: Request) => Promise<Response> {
  return toWebHandler(createIceServersEndpoint(options))
}

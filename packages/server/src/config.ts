import { createHash } from 'node:crypto'
import { ConfigError } from './errors.ts'

/**
 * Twilio's ceiling for `Ttl`, in seconds, and its default.
 *
 * @example
 * ```ts
 * parseConfig({ ...process.env, NTS_MAX_TTL: String(MAX_TTL / 24) })
 * ```
 */
export const MAX_TTL = 86400

/**
 * The region every configuration has, used when a request names none.
 *
 * @example
 * ```ts
 * config.regions.get(DEFAULT_REGION) // the ICE URLs of NTS_ICE_URLS
 * ```
 */
export const DEFAULT_REGION = 'global'

export interface Config {
  host: string
  port: number
  /** AccountSid -> SHA-256 of its auth token (tokens are compared as hashes, in constant time). */
  accounts: Map<string, Buffer>
  /** TURN REST API secrets; the first signs, all are accepted by a coturn that knows them. */
  secrets: string[]
  /** Region name -> ICE URLs. `global` is always present and is the default. */
  regions: Map<string, string[]>
  maxTtl: number
  /** Origins the browser endpoint answers (`*` for any); empty refuses every request with an Origin. */
  allowedOrigins: string[]
  /** Browser endpoint: `points` requests per client per `duration` seconds. */
  rateLimit: RateLimit
  /** Where the rate limit is kept so replicas share it (`NTS_REDIS_URL`); in memory when absent. */
  redisUrl?: string | undefined
}

export interface RateLimit {
  points: number
  duration: number
}

/** What `--config FILE` may hold. Anything else in the file is refused. */
export interface ConfigFile {
  regions?: Record<string, string[]>
}

export type Env = Record<string, string | undefined>

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/
const ICE_URL = /^(stun|turn|turns):\[?[A-Za-z0-9.\-:]+\]?(:\d{1,5})?(\?transport=(udp|tcp))?$/
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/

export const DEFAULT_ICE_URLS = [
  'stun:127.0.0.1:3478',
  'turn:127.0.0.1:3478?transport=udp',
  'turn:127.0.0.1:3478?transport=tcp',
]

export const hashToken = (token: string) => createHash('sha256').update(token).digest()

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)

function integer(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined || value === '') return fallback
  if (!/^\d+$/.test(value.trim()) || +value < min || +value > max)
    throw new ConfigError(name, `must be an integer from ${min} to ${max}`)
  return +value
}

/**
 * Parses `AC…:token,AC…:sha256:<hex>`: each account's auth token, or its SHA-256 in hex.
 * Errors name the variable and the position, never the token.
 */
export function parseAccounts(name: string, value: string): Map<string, Buffer> {
  const accounts = new Map<string, Buffer>()
  list(value).forEach((pair, index) => {
    const colon = pair.indexOf(':')
    const sid = colon === -1 ? pair : pair.slice(0, colon)
    const token = colon === -1 ? '' : pair.slice(colon + 1)
    if (!ACCOUNT_SID.test(sid))
      throw new ConfigError(name, `entry ${index + 1}: AccountSid must match ^AC[0-9a-fA-F]{32}$`)
    if (!token) throw new ConfigError(name, `entry ${index + 1} (${sid}): auth token is missing`)
    if (accounts.has(sid)) throw new ConfigError(name, `entry ${index + 1}: ${sid} appears twice`)
    // `sha256:<hex>` keeps the token itself out of the configuration
    const hashed = /^sha256:([0-9a-fA-F]{64})$/.exec(token)
    if (token.startsWith('sha256:') && !hashed)
      throw new ConfigError(
        name,
        `entry ${index + 1} (${sid}): sha256: must be followed by 64 hex digits`,
      )
    accounts.set(sid, hashed ? Buffer.from(hashed[1]!, 'hex') : hashToken(token))
  })
  if (accounts.size === 0)
    throw new ConfigError(name, 'must list at least one AccountSid:AuthToken')
  return accounts
}

function parseSecrets(name: string, value: string): string[] {
  const secrets = list(value)
  if (secrets.length === 0) throw new ConfigError(name, 'must list at least one secret')
  return secrets
}

function parseIceUrls(name: string, urls: unknown): string[] {
  if (!Array.isArray(urls) || urls.length === 0)
    throw new ConfigError(name, 'must list at least one stun:, turn: or turns: URL')
  urls.forEach((url, index) => {
    if (typeof url !== 'string' || !ICE_URL.test(url))
      throw new ConfigError(
        name,
        `entry ${index + 1} is not a stun:, turn: or turns: URL (e.g. turn:turn.example.com:3478?transport=udp)`,
      )
  })
  return urls as string[]
}

function parseRegions(file: ConfigFile | undefined, globalUrls: string[] | undefined) {
  const regions = new Map<string, string[]>()
  if (globalUrls) regions.set(DEFAULT_REGION, globalUrls)
  const fromFile = file?.regions ?? {}
  if (typeof fromFile !== 'object' || Array.isArray(fromFile))
    throw new ConfigError('--config regions', 'must be an object of region name -> ICE URLs')
  for (const [region, urls] of Object.entries(fromFile)) {
    if (!REGION.test(region))
      throw new ConfigError(`--config regions.${region}`, 'must be a lower-case name (a-z, 0-9, -)')
    if (region === DEFAULT_REGION && globalUrls) continue // NTS_ICE_URLS wins over the file
    regions.set(region, parseIceUrls(`--config regions.${region}`, urls))
  }
  if (!regions.has(DEFAULT_REGION)) regions.set(DEFAULT_REGION, DEFAULT_ICE_URLS)
  return regions
}

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
}

/** Parses `30/min`, `5/s`, `1000/h` or `100/10min`. */
export function parseRateLimit(name: string, value: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*([a-z]+)\s*$/.exec(value)
  const unit = match && UNITS[match[3]!]
  const count = match && (match[2] ? +match[2] : 1)
  if (!match || !unit || !count || +match[1]! < 1)
    throw new ConfigError(name, 'must look like 30/min (a count per s, min or h, e.g. 100/10min)')
  return { points: +match[1]!, duration: count * unit }
}

function parseRedisUrl(name: string, value: string | undefined) {
  if (!value) return undefined
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname)
    throw new ConfigError(name, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
  return value
}

function parseOrigins(name: string, value: string): string[] {
  const origins = list(value)
  for (const origin of origins) {
    let valid = origin === '*'
    try {
      valid ||= new URL(origin).origin === origin
    } catch {
      // not a URL
    }
    if (!valid)
      throw new ConfigError(
        name,
        `has "${origin.slice(0, 100)}": use origins like https://app.example.com, or *`,
      )
  }
  return origins
}

/**
 * Builds the configuration from the environment and an optional parsed config file.
 * Pure: reads nothing but its arguments. Throws {@link ConfigError} naming the bad variable.
 *
 * @example
 * ```ts
 * const config = parseConfig(process.env)
 * ```
 */
export function parseConfig(env: Env, file?: ConfigFile): Config {
  if (file !== undefined) {
    const unknown = Object.keys(file).filter((key) => key !== 'regions')
    if (unknown.length)
      throw new ConfigError('--config', `has unknown fields: ${unknown.join(', ')}`)
  }
  if (!env.NTS_ACCOUNTS) throw new ConfigError('NTS_ACCOUNTS', 'is required (AC…:authToken pairs)')
  if (!env.NTS_TURN_SECRETS) throw new ConfigError('NTS_TURN_SECRETS', 'is required')
  const host = env.NTS_HOST?.trim() || '127.0.0.1'
  return {
    host,
    port: integer('NTS_PORT', env.NTS_PORT, 0, 65535, 8080),
    accounts: parseAccounts('NTS_ACCOUNTS', env.NTS_ACCOUNTS),
    secrets: parseSecrets('NTS_TURN_SECRETS', env.NTS_TURN_SECRETS),
    regions: parseRegions(
      file,
      env.NTS_ICE_URLS ? parseIceUrls('NTS_ICE_URLS', list(env.NTS_ICE_URLS)) : undefined,
    ),
    maxTtl: integer('NTS_MAX_TTL', env.NTS_MAX_TTL, 1, MAX_TTL, MAX_TTL),
    allowedOrigins: parseOrigins('NTS_ALLOWED_ORIGINS', env.NTS_ALLOWED_ORIGINS ?? ''),
    rateLimit: parseRateLimit('NTS_RATE_LIMIT', env.NTS_RATE_LIMIT || '30/min'),
    redisUrl: parseRedisUrl('NTS_REDIS_URL', env.NTS_REDIS_URL),
  }
}

/** True when none of the variables that make a production configuration is set. */
export const isUnconfigured = (env: Env) =>
  !env.NTS_ACCOUNTS && !env.NTS_TURN_SECRETS && !env.NTS_ACCOUNTS_FILE && !env.NTS_TURN_SECRETS_FILE

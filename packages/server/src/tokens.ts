import { createHmac, randomBytes } from 'node:crypto'

/** The TURN REST API credential pair (draft-uberti-behave-turn-rest). */
export interface Credential {
  /** `<unix expiry>:<unique id>`, or `<unix expiry>:<label>:<unique id>`. */
  username: string
  /** base64(HMAC-SHA1(secret, username)). */
  password: string
}

/**
 * Signs a TURN REST API username with a shared secret, as coturn's
 * `use-auth-secret` checks it.
 *
 * @example
 * ```ts
 * sign('s3cret', '1700000000:alice') // => base64 HMAC-SHA1
 * ```
 */
export function sign(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64')
}

/**
 * Mints a credential that expires `ttl` seconds after `now` (milliseconds).
 * Pure apart from `id`: pass it in to make the result deterministic.
 *
 * @example
 * ```ts
 * const { username, password } = mintCredential({ secret, ttl: 3600, now: Date.now() })
 * ```
 */
export function mintCredential(options: {
  secret: string
  ttl: number
  now: number
  label?: string | undefined
  id?: string
}): Credential {
  const username = credentialUsername(options.now, options.ttl, options.label, options.id)
  return { username, password: sign(options.secret, username) }
}

/** `<expiry>:<id>` or `<expiry>:<label>:<id>`, the expiry `ttl` seconds after `now` (ms). */
export function credentialUsername(
  now: number,
  ttl: number,
  label?: string,
  id = uniqueId(),
): string {
  // Rounded up: the credential is valid for at least `ttl` seconds from `now`, so a client
  // that dates expiry from its request never outlives it.
  const expiry = Math.ceil(now / 1000) + ttl
  return label ? `${expiry}:${label}:${id}` : `${expiry}:${id}`
}

// Random ids are cut from one pooled hex string: a randomBytes call, or a hex
// conversion, per token costs more than the HMAC it feeds.
const POOL_IDS = 1024
const ID_HEX = 32
let pool = ''
let offset = 0

/** 128 random bits as 32 hex characters. */
export function uniqueId(): string {
  if (offset >= pool.length) {
    pool = randomBytes((POOL_IDS * ID_HEX) / 2).toString('hex')
    offset = 0
  }
  return pool.slice(offset, (offset += ID_HEX))
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

/**
 * Formats a time as RFC 2822 in UTC, the way Twilio dates its resources.
 *
 * @example
 * ```ts
 * rfc2822(Date.UTC(2020, 4, 1, 1, 42, 57)) // 'Fri, 01 May 2020 01:42:57 +0000'
 * ```
 */
export function rfc2822(ms: number): string {
  const d = new Date(ms)
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  )
}

import { timingSafeEqual } from 'node:crypto'
import { hashToken } from './config.ts'
import { unauthorized } from './errors.ts'

const BASIC = /^basic +([A-Za-z0-9+/=]+) *$/i
const NO_ACCOUNT = Buffer.alloc(32)
const CACHE_SIZE = 1024

/**
 * Checks HTTP Basic `AccountSid:AuthToken` against the account named in the path.
 * Hashes are compared in constant time, and an unknown account costs the same work
 * as a wrong token. Throws a 401 / 20003 {@link TwilioError}.
 */
export function checkBasicAuth(
  header: string | undefined,
  accountSid: string,
  accounts: Map<string, Buffer>,
): void {
  const match = header ? BASIC.exec(header) : null
  if (!match) throw unauthorized()
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1) throw unauthorized()
  const expected = accounts.get(accountSid)
  const given = hashToken(decoded.slice(colon + 1))
  const ok = timingSafeEqual(given, expected ?? NO_ACCOUNT)
  if (!ok || !expected || decoded.slice(0, colon) !== accountSid) throw unauthorized()
}

/**
 * {@link checkBasicAuth} with a memory of recently accepted headers: a client sends the
 * same header on every request, and hashing it each time is a good part of a token's
 * cost. Only headers that passed are kept (at most 1024), so a lookup never says more
 * than the check would.
 */
export function createAuthenticator(accounts: Map<string, Buffer>) {
  const accepted = new Map<string, string>()
  return (header: string | undefined, accountSid: string): void => {
    if (header !== undefined && accepted.get(header) === accountSid) return
    checkBasicAuth(header, accountSid, accounts)
    if (accepted.size >= CACHE_SIZE) accepted.clear()
    accepted.set(header!, accountSid)
  }
}

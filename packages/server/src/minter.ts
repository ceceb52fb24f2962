import { compileTemplate } from './template.ts'
import { mintCredential, rfc2822 } from './tokens.ts'

export interface MinterOptions {
  /** The first secret signs. */
  secrets: string[]
  regions: Map<string, string[]>
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number
}

/**
 * Mints a Twilio-shaped token body for one region: a fresh credential, the
 * region's ICE URLs and the dates, from templates compiled once.
 */
export function createMinter({ secrets, regions, now = Date.now }: MinterOptions) {
  const templates = new Map([...regions].map(([name, urls]) => [name, compileTemplate(urls)]))
  const secret = secrets[0]!
  let dateSecond = -1
  let dateText = ''

  // Dates are cached per second: formatting one costs about as much as the HMAC.
  function date(ms: number) {
    const second = Math.floor(ms / 1000)
    if (second !== dateSecond) {
      dateSecond = second
      dateText = rfc2822(ms)
    }
    return dateText
  }

  return (accountSid: string, ttl: number, region: string, label?: string): string => {
    const at = now()
    const credential = mintCredential({ secret, ttl, now: at, label })
    return templates.get(region)!({ ...credential, accountSid, ttl, date: date(at) })
  }
}

export type Minter = ReturnType<typeof createMinter>

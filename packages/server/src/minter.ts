import { createSigner } from './signer.ts'
import { compileTemplate } from './template.ts'
import { credentialUsername, rfc2822 } from './tokens.ts'

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
  const signer = createSigner(secrets[0]!)
  let dateSecond = -1
  let dateJson = ''

  return (accountSid: string, ttl: number, region: string, label?: string): string => {
    const at = now()
    // Dates are cached per second: formatting one costs about as much as the HMAC.
    const second = Math.floor(at / 1000)
    if (second !== dateSecond) {
      dateSecond = second
      dateJson = JSON.stringify(rfc2822(at))
    }
    const username = credentialUsername(at, ttl, label)
    return templates.get(region)!(
      JSON.stringify(accountSid),
      dateJson,
      ttl,
      username,
      signer(username),
    )
  }
}

export type Minter = ReturnType<typeof createMinter>

import type { Credential } from './tokens.ts'

export interface TokenFields extends Credential {
  accountSid: string
  ttl: number
  /** RFC 2822 */
  date: string
}

const json = JSON.stringify

/**
 * Pre-builds the Twilio-shaped JSON body for one set of ICE URLs, so a request
 * only concatenates its own values into fixed pieces. The output is exactly
 * `JSON.stringify` of a {@link TwilioToken} (the tests check that).
 */
export function compileTemplate(urls: string[]): (fields: TokenFields) => string {
  const stun = urls.map((url) => !url.startsWith('turn'))
  const pieces = urls.map((url) => `"url":${json(url)},"urls":${json(url)}`)
  return ({ accountSid, ttl, date, username, password }) => {
    const user = json(username)
    const pass = json(password)
    let servers = ''
    for (let i = 0; i < pieces.length; i++) {
      if (i) servers += ','
      servers += stun[i]
        ? `{${pieces[i]}}`
        : `{${pieces[i]},"username":${user},"credential":${pass}}`
    }
    const d = json(date)
    return `{"account_sid":${json(accountSid)},"date_created":${d},"date_updated":${d},"ice_servers":[${servers}],"password":${pass},"ttl":"${ttl}","username":${user}}`
  }
}

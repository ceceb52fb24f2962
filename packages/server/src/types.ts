/** One entry of `ice_servers`, as Twilio sends it (`url` is the legacy twin of `urls`). */
export interface TwilioIceServer {
  url: string
  urls: string
  /** Present on `turn:` and `turns:` entries only. */
  username?: string
  /** Present on `turn:` and `turns:` entries only. */
  credential?: string
}

/** The body of a created Token, field for field as Twilio answers it. */
export interface TwilioToken {
  account_sid: string
  /** RFC 2822, e.g. `Fri, 01 May 2020 01:42:57 +0000`. */
  date_created: string
  date_updated: string
  ice_servers: TwilioIceServer[]
  password: string
  /** Seconds, as a string: Twilio sends `"86400"`. */
  ttl: string
  username: string
}

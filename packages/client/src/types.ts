/** ICE servers ready for `new RTCPeerConnection({ iceServers })`, and how long they are valid. */
export interface IceServers {
  iceServers: RTCIceServer[]
  /** Lifetime granted by the server, in seconds. */
  ttl: number
  /**
   * When the credentials stop working, in milliseconds on this page's clock: the
   * moment the request was sent plus `ttl`, so a wrong clock on either side cannot
   * make the page use expired credentials.
   */
  expiresAt: number
}

/** One `ice_servers` entry of a Twilio-shaped token (`url` is Twilio's legacy twin of `urls`). */
export interface TwilioIceServer {
  url?: string
  urls: string | string[]
  username?: string
  credential?: string
}

/** The Twilio-shaped answer of `@nts/server`, or of Twilio's Tokens API relayed as is. */
export interface TwilioTokenResponse {
  ice_servers: TwilioIceServer[]
  /** Seconds; Twilio sends a string. */
  ttl: string | number
  username?: string
  password?: string
  account_sid?: string
  date_created?: string
  date_updated?: string
}

/** A Cloudflare-shaped answer: `iceServers` as one object or a list. */
export interface CloudflareIceServersResponse {
  iceServers: RTCIceServer | RTCIceServer[]
}

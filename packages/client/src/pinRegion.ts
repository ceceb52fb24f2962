const GLOBAL = /^(stuns?|turns?):global\./

/**
 * Pins ICE servers to one region by Twilio's documented rule: the leading `global`
 * label of each STUN/TURN host is replaced by the region's name. Use it on tokens
 * that come from Twilio itself; `@nts/server` pins with its own `region` field.
 *
 * @example
 * ```ts
 * pinRegion(iceServers, 'frankfurt')
 * // turn:global.turn.twilio.com:3478 -> turn:frankfurt.turn.twilio.com:3478
 * ```
 */
export function pinRegion(iceServers: RTCIceServer[], region: string): RTCIceServer[] {
  if (!/^[a-z0-9-]+$/.test(region)) throw new TypeError(`pinRegion: invalid region "${region}"`)
  const pin = (url: string) => url.replace(GLOBAL, `$1:${region}.`)
  return iceServers.map((server) => ({
    ...server,
    urls: typeof server.urls === 'string' ? pin(server.urls) : server.urls.map(pin),
  }))
}

export interface ApplyIceServersOptions {
  /** Also restart ICE, so the connection gathers candidates with the new credentials now. */
  restartIce?: boolean
}

/**
 * Puts fresh credentials into a live peer connection (`setConfiguration`), so a later
 * ICE restart gathers relay candidates with valid credentials even after the first
 * ones expired. With `restartIce: true` it restarts ICE at once.
 *
 * @example
 * ```ts
 * useEffect(() => { if (iceServers.length) applyIceServers(pc, iceServers) }, [pc, iceServers])
 * ```
 */
export function applyIceServers(
  pc: RTCPeerConnection,
  iceServers: RTCIceServer[],
  options: ApplyIceServersOptions = {},
): void {
  pc.setConfiguration({ ...pc.getConfiguration(), iceServers })
  if (options.restartIce) pc.restartIce()
}

import { useEffect, useState } from 'react'

export interface CallStats {
  /** host, srflx, prflx or relay, on each side of the selected candidate pair. */
  localType?: string
  remoteType?: string
  /** The TURN server the local relay candidate came from. */
  turnUrl?: string
  rttMs?: number
  /** Received video bitrate, kbit/s. */
  kbps?: number
  framesDecoded?: number
  history: { kbps: number; rttMs: number }[]
}

const EMPTY: CallStats = { history: [] }

/** Polls `getStats()` once a second for the selected candidate pair, RTT and bitrate. */
export function useCallStats(pc: RTCPeerConnection | undefined): CallStats {
  const [stats, setStats] = useState<CallStats>(EMPTY)
  useEffect(() => {
    setStats(EMPTY)
    if (!pc) return
    let last: { bytes: number; at: number } | undefined
    const timer = setInterval(async () => {
      if (pc.connectionState === 'closed') return
      const report = await pc.getStats()
      const all = [...report.values()] as (RTCStats & Record<string, unknown>)[]
      const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId)
      const pair = transport && report.get(transport.selectedCandidatePairId as string)
      const local = pair && report.get(pair.localCandidateId)
      const remote = pair && report.get(pair.remoteCandidateId)
      const video = all.find((s) => s.type === 'inbound-rtp' && s.kind === 'video')
      const bytes = Number(video?.bytesReceived ?? 0)
      const kbps = last ? ((bytes - last.bytes) * 8) / (video!.timestamp - last.at) : 0
      if (video) last = { bytes, at: video.timestamp }
      const rttMs =
        pair?.currentRoundTripTime !== undefined ? pair.currentRoundTripTime * 1000 : undefined
      setStats((previous) => ({
        localType: local?.candidateType,
        remoteType: remote?.candidateType,
        turnUrl: local?.url,
        rttMs,
        kbps,
        framesDecoded: video?.framesDecoded as number | undefined,
        history: [...previous.history, { kbps, rttMs: rttMs ?? 0 }].slice(-60),
      }))
    }, 1000)
    return () => clearInterval(timer)
  }, [pc])
  return stats
}

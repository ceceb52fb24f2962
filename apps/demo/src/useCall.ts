import { useCallback, useEffect, useRef, useState } from 'react'
import { applyIceServers } from '@nts/react'

export type Phase =
  | 'signalling'
  | 'waiting'
  | 'calling'
  | 'connected'
  | 'ice-failed'
  | 'no-relay'
  | 'peer-left'
  | 'full'
  | 'signalling-lost'

export interface ChatMessage {
  from: 'me' | 'peer'
  text: string
}

export interface LocalCandidate {
  type: string
  address: string | null
  port: number | null
  url: string | null
  /** How many ICE restarts preceded it. */
  restart: number
}

export interface CallOptions {
  room: string
  iceServers: RTCIceServer[]
  relayOnly: boolean
  /** Push fresh credentials into the live connection (`applyIceServers`). */
  apply: boolean
  /** Local camera and microphone, null when refused or unavailable. */
  stream: MediaStream | null | undefined
}

type Signal =
  | { type: 'joined'; polite: boolean; peers: number }
  | { type: 'peer-joined' | 'peer-left' | 'full' }
  | { type: 'description'; description: RTCSessionDescriptionInit }
  | { type: 'candidate'; candidate: RTCIceCandidateInit }

declare global {
  interface Window {
    /** For the end-to-end tests: what the page's connection is doing. */
    __demo?: {
      pc: () => RTCPeerConnection | undefined
      candidates: LocalCandidate[]
      restarts: () => number
    }
  }
}

/**
 * One call in a room: WebSocket signalling, perfect negotiation, media, a chat data
 * channel, ICE restarts, and fresh credentials pushed into the live connection.
 */
export function useCall({ room, iceServers, relayOnly, apply, stream }: CallOptions) {
  const [phase, setPhase] = useState<Phase>('signalling')
  const [peerHere, setPeerHere] = useState(false)
  const [remoteStream, setRemoteStream] = useState<MediaStream | null>(null)
  const [messages, setMessages] = useState<ChatMessage[]>([])
  const [chatOpen, setChatOpen] = useState(false)
  const [pc, setPc] = useState<RTCPeerConnection>()
  const socket = useRef<WebSocket>(null)
  const polite = useRef(false)
  const channel = useRef<RTCDataChannel>(null)
  const restarts = useRef(0)
  const candidates = useRef<LocalCandidate[]>([])
  const inbox = useRef<Signal[]>([])
  const handle = useRef<(signal: Signal) => void>((signal) => inbox.current.push(signal))
  // What a call starts with; later credentials reach it through `apply`, later settings the next call.
  const [start, setStart] = useState<{ iceServers: RTCIceServer[]; relayOnly: boolean } | null>(
    null,
  )

  const send = useCallback((signal: Signal) => socket.current?.send(JSON.stringify(signal)), [])

  // Signalling: the server relays our messages to the other peer in the room.
  useEffect(() => {
    const ws = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?room=${room}`,
    )
    socket.current = ws
    let closedByUs = false
    ws.onmessage = (event) => {
      const signal = JSON.parse(String(event.data)) as Signal
      if (signal.type === 'joined') {
        polite.current = signal.polite
        setPeerHere(signal.peers === 2)
        setPhase('waiting')
      } else if (signal.type === 'peer-joined') setPeerHere(true)
      else if (signal.type === 'peer-left') {
        setPeerHere(false)
        setPhase('peer-left')
      } else if (signal.type === 'full') setPhase('full')
      else handle.current(signal)
    }
    ws.onclose = () =>
      closedByUs || setPhase((phase) => (phase === 'full' ? phase : 'signalling-lost'))
    return () => {
      closedByUs = true
      ws.close()
    }
  }, [room])

  useEffect(() => {
    if (!peerHere) setStart(null)
    else if (!start && iceServers.length > 0 && stream !== undefined)
      setStart({ iceServers, relayOnly })
  }, [peerHere, start, iceServers, relayOnly, stream])

  // A peer connection per call: created once both peers, media and credentials are there.
  useEffect(() => {
    if (!start) return
    const connection = new RTCPeerConnection({
      iceServers: start.iceServers,
      iceTransportPolicy: start.relayOnly ? 'relay' : 'all',
    })
    let makingOffer = false
    let ignoreOffer = false
    candidates.current = []
    restarts.current = 0
    setPhase('calling')
    setChatOpen(false)

    const openChat = (dc: RTCDataChannel) => {
      channel.current = dc
      dc.onopen = () => setChatOpen(true)
      dc.onclose = () => setChatOpen(false)
      dc.onmessage = (event) =>
        setMessages((list) => [...list, { from: 'peer', text: String(event.data) }])
    }
    connection.ondatachannel = (event) => openChat(event.channel)
    let tracksAdded = false
    const addTracks = () => {
      if (tracksAdded) return
      tracksAdded = true
      for (const track of stream?.getTracks() ?? []) connection.addTrack(track, stream!)
    }
    // The first peer offers; the second adds its media when it answers. Both offering at once
    // (glare) makes Chromium roll back a gathering offer, after which it may never gather again.
    if (!polite.current) {
      openChat(connection.createDataChannel('chat'))
      addTracks()
    }
    connection.ontrack = (event) =>
      setRemoteStream(event.streams[0] ?? new MediaStream([event.track]))

    connection.onicecandidate = ({ candidate }) => {
      if (candidate) {
        candidates.current.push({
          type: candidate.type ?? 'unknown',
          address: candidate.address,
          port: candidate.port,
          url: (candidate as RTCIceCandidate & { url?: string }).url ?? null,
          restart: restarts.current,
        })
        send({ type: 'candidate', candidate: candidate.toJSON() })
      }
    }
    connection.onicegatheringstatechange = () => {
      const relays = candidates.current.filter(
        (c) => c.type === 'relay' && c.restart === restarts.current,
      )
      if (connection.iceGatheringState === 'complete' && start.relayOnly && relays.length === 0)
        setPhase('no-relay')
    }
    connection.oniceconnectionstatechange = () => {
      const state = connection.iceConnectionState
      if (state === 'connected' || state === 'completed') setPhase('connected')
      else if (state === 'failed') setPhase('ice-failed')
    }
    connection.onnegotiationneeded = async () => {
      try {
        makingOffer = true
        await connection.setLocalDescription()
        send({ type: 'description', description: connection.localDescription!.toJSON() })
      } catch (error) {
        console.error('negotiation failed', error)
      } finally {
        makingOffer = false
      }
    }
    // Perfect negotiation (the W3C pattern): the polite peer yields on offer collisions.
    handle.current = async (signal) => {
      try {
        if (signal.type === 'description') {
          const { description } = signal
          const collision =
            description.type === 'offer' && (makingOffer || connection.signalingState !== 'stable')
          ignoreOffer = !polite.current && collision
          if (ignoreOffer) return
          await connection.setRemoteDescription(description)
          if (description.type === 'offer') {
            addTracks()
            await connection.setLocalDescription()
            send({ type: 'description', description: connection.localDescription!.toJSON() })
          }
        } else if (signal.type === 'candidate') {
          await connection.addIceCandidate(signal.candidate).catch((error) => {
            if (!ignoreOffer) throw error
          })
        }
      } catch (error) {
        console.error('signalling failed', error)
      }
    }
    for (const signal of inbox.current.splice(0)) void handle.current(signal)
    setPc(connection)
    window.__demo = {
      pc: () => connection,
      candidates: candidates.current,
      restarts: () => restarts.current,
    }
    return () => {
      handle.current = (signal) => inbox.current.push(signal)
      connection.close()
      setPc(undefined)
      setRemoteStream(null)
      setChatOpen(false)
    }
  }, [start, stream, send])

  // Fresh credentials into the live call, so the next ICE restart can allocate a relay.
  useEffect(() => {
    if (pc && apply && iceServers.length && pc.signalingState !== 'closed')
      applyIceServers(pc, iceServers)
  }, [pc, apply, iceServers])

  const restartIce = useCallback(() => {
    if (!pc) return
    restarts.current++
    pc.restartIce()
  }, [pc])

  const sendChat = useCallback((text: string) => {
    if (channel.current?.readyState !== 'open') return false
    channel.current.send(text)
    setMessages((list) => [...list, { from: 'me', text }])
    return true
  }, [])

  return { phase, peerHere, pc, remoteStream, messages, chatOpen, sendChat, restartIce }
}

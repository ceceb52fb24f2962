import { type FormEvent, useEffect, useRef, useState } from 'react'
import { Chart } from './Chart.tsx'
import { useCallStats } from './useCallStats.ts'
import { type Phase, useCall } from './useCall.ts'
import { useCredentials } from './useCredentials.ts'

const params = new URLSearchParams(location.search)
const ENDPOINT = params.get('endpoint') ?? '/v1/ice-servers'

const PHASES: Record<Phase, string> = {
  signalling: 'Connecting to the signalling server…',
  waiting: 'Waiting for someone to join with the link.',
  calling: 'Calling: connecting through ICE…',
  connected: 'Connected.',
  'ice-failed': '',
  'no-relay': '',
  'peer-left': 'Your peer left the room. Share the link to call again.',
  full: '',
  'signalling-lost': '',
}

const PROBLEMS: Partial<Record<Phase, string>> = {
  'ice-failed':
    'The connection failed (ICE failed). With "Relay only" both sides need a working TURN relay: check that coturn runs and that the credentials are fresh, then press "Restart ICE".',
  'no-relay':
    'The TURN server gave no relay: it refused the credentials (expired or signed with another secret) or cannot be reached. Keep credentials fresh, check coturn, then press "Restart ICE".',
  full: 'This room already has two people. Start a new room.',
  'signalling-lost':
    'Lost the signalling server. Check that the demo server runs, then reload the page.',
}

export function App() {
  const [fault, setFault] = useState<string>()
  useEffect(() => {
    // Anything async that escaped its handler still reaches the page, never a silent failure.
    const onRejection = (event: PromiseRejectionEvent) =>
      setFault(String(event.reason?.message ?? event.reason))
    window.addEventListener('unhandledrejection', onRejection)
    return () => window.removeEventListener('unhandledrejection', onRejection)
  }, [])
  const room = params.get('room')
  return (
    <>
      {fault && (
        <p role="alert">
          Something went wrong: {fault}. Reload the page if the call stops working.
        </p>
      )}
      {!room || !/^[\w-]{1,64}$/.test(room) ? <Lobby /> : <Room room={room} />}
    </>
  )
}

function Lobby() {
  const start = () => {
    const url = new URL(location.href)
    url.searchParams.set('room', crypto.randomUUID().slice(0, 8))
    location.assign(url)
  }
  return (
    <main>
      <h1>nts demo</h1>
      <p>
        A video call between two tabs (or two machines) through a TURN relay, with short-lived
        credentials from <code>useIceServers</code>.
      </p>
      <button onClick={start}>Start a room</button>
    </main>
  )
}

function useMedia() {
  const [stream, setStream] = useState<MediaStream | null>()
  const [error, setError] = useState<string>()
  useEffect(() => {
    let alive = true
    let got: MediaStream | undefined
    navigator.mediaDevices
      ?.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } },
        audio: true,
      })
      .then((media) => {
        got = media
        if (alive) setStream(media)
        else media.getTracks().forEach((track) => track.stop())
      })
      .catch((error: Error) => {
        if (!alive) return
        setError(`${error.name}: ${error.message}`)
        setStream(null)
      })
    if (!navigator.mediaDevices) {
      setError('This page has no access to media devices (it needs https or localhost).')
      setStream(null)
    }
    return () => {
      alive = false
      got?.getTracks().forEach((track) => track.stop())
    }
  }, [])
  return { stream, error }
}

function Room({ room }: { room: string }) {
  const [relayOnly, setRelayOnly] = useState(params.get('relay') !== 'off')
  const [ttl, setTtl] = useState(Number(params.get('ttl') ?? 3600))
  const [region, setRegion] = useState(params.get('region') ?? 'global')
  const [fresh, setFresh] = useState(params.get('fresh') !== 'off')
  const [apply, setApply] = useState(params.get('apply') !== 'off')
  const [regions, setRegions] = useState(['global'])
  const media = useMedia()
  const credentials = useCredentials({ ttl, region, endpoint: ENDPOINT, fresh })
  const call = useCall({
    room,
    iceServers: credentials.iceServers,
    relayOnly,
    apply,
    stream: media.stream,
  })
  const stats = useCallStats(call.pc)

  useEffect(() => {
    fetch('/demo/config')
      .then((response) => response.json())
      .then((config: { regions: string[] }) => setRegions(config.regions))
      .catch(() => {}) // the default region still works
  }, [])

  const link = location.href
  return (
    <main>
      <h1>nts demo · room {room}</h1>
      <p>
        Share this link: <a href={link}>{link}</a>
      </p>
      <fieldset>
        <legend>Settings (apply to the next call)</legend>
        <label>
          <input
            type="checkbox"
            checked={relayOnly}
            onChange={(e) => setRelayOnly(e.target.checked)}
          />{' '}
          Relay only
        </label>
        <label>
          TTL (seconds){' '}
          <input
            type="number"
            min={1}
            max={86400}
            value={ttl}
            onChange={(e) => e.target.valueAsNumber >= 1 && setTtl(e.target.valueAsNumber)}
          />
        </label>
        <label>
          Region{' '}
          <select value={region} onChange={(e) => setRegion(e.target.value)}>
            {regions.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={fresh} onChange={(e) => setFresh(e.target.checked)} />{' '}
          Keep credentials fresh
        </label>
        <label>
          <input type="checkbox" checked={apply} onChange={(e) => setApply(e.target.checked)} />{' '}
          Push fresh credentials into the call
        </label>
      </fieldset>

      <CredentialProblems credentials={credentials} />
      {media.error && (
        <p role="alert">
          Camera or microphone unavailable ({media.error}). Allow them in the browser&apos;s site
          settings and reload; meanwhile you can still chat and receive your peer&apos;s video.
        </p>
      )}
      {PROBLEMS[call.phase] ? (
        <p role="alert">{PROBLEMS[call.phase]}</p>
      ) : (
        <p role="status">{PHASES[call.phase]}</p>
      )}

      <div className="grid">
        <Video label="You" stream={media.stream ?? null} muted />
        <Video label="Your peer" stream={call.remoteStream} />
      </div>

      <div className="grid">
        <section aria-label="Live call panel">
          <h2>Connection</h2>
          <dl>
            <dt>Credentials</dt>
            <dd>
              <Remaining expiresAt={credentials.expiresAt} /> · refreshed {credentials.refreshes}{' '}
              times
            </dd>
            <dt>ICE servers</dt>
            <dd>{credentials.iceServers.flatMap((server) => server.urls).join(' ') || '–'}</dd>
            <dt>Candidate pair</dt>
            <dd>{stats.localType ? `${stats.localType} ↔ ${stats.remoteType}` : '–'}</dd>
            <dt>TURN server</dt>
            <dd>{stats.turnUrl ?? '–'}</dd>
            <dt>Round-trip time</dt>
            <dd>{stats.rttMs !== undefined ? `${stats.rttMs.toFixed(1)} ms` : '–'}</dd>
            <dt>Video</dt>
            <dd>{stats.kbps !== undefined ? `${Math.round(stats.kbps)} kbit/s` : '–'}</dd>
          </dl>
          <Chart history={stats.history} />
          <button onClick={call.restartIce} disabled={!call.pc}>
            Restart ICE
          </button>
        </section>
        <Chat open={call.chatOpen} messages={call.messages} send={call.sendChat} />
      </div>
    </main>
  )
}

function CredentialProblems({ credentials }: { credentials: ReturnType<typeof useCredentials> }) {
  if (!credentials.error) return null
  if (credentials.iceServers.length === 0)
    return (
      <p role="alert">
        Cannot get TURN credentials from {ENDPOINT}: {credentials.error.message}. Retrying
        automatically; check that the token service is running and allows this page.
      </p>
    )
  return (
    <p className="warning">
      Refreshing TURN credentials is failing ({credentials.error.message}); the current ones stay
      valid until they expire.
    </p>
  )
}

function Remaining({ expiresAt }: { expiresAt?: number }) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  if (expiresAt === undefined) return <>none</>
  const left = Math.round((expiresAt - now) / 1000)
  return <>{left > 0 ? `valid ${left} s more` : `expired ${-left} s ago`}</>
}

function Video({
  label,
  stream,
  muted,
}: {
  label: string
  stream: MediaStream | null
  muted?: boolean
}) {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream
  }, [stream])
  return (
    <figure>
      <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  )
}

function Chat(props: {
  open: boolean
  messages: { from: string; text: string }[]
  send: (text: string) => boolean
}) {
  const [text, setText] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (text.trim() && props.send(text.trim())) setText('')
  }
  return (
    <section className="chat" aria-label="Chat">
      <h2>Chat</h2>
      <ol aria-label="Messages">
        {props.messages.map((message, i) => (
          <li key={i}>
            <strong>{message.from === 'me' ? 'You' : 'Peer'}:</strong> {message.text}
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <input
          aria-label="Message"
          value={text}
          onChange={(e) => setText(e.target.value)}
          disabled={!props.open}
        />
        <button disabled={!props.open}>Send</button>
      </form>
    </section>
  )
}

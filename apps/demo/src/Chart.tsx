const WIDTH = 240
const HEIGHT = 60

function line(values: number[]) {
  const max = Math.max(1, ...values)
  return values
    .map((value, i) => `${(i / 59) * WIDTH},${HEIGHT - (value / max) * (HEIGHT - 4) - 2}`)
    .join(' ')
}

/** A small live chart of bitrate and RTT over the last minute. */
export function Chart({ history }: { history: { kbps: number; rttMs: number }[] }) {
  return (
    <figure className="chart">
      <svg
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label="Bitrate and round-trip time, last minute"
      >
        <polyline points={line(history.map((point) => point.kbps))} className="kbps" />
        <polyline points={line(history.map((point) => point.rttMs))} className="rtt" />
      </svg>
      <figcaption>
        <span className="kbps">bitrate</span> · <span className="rtt">RTT</span> (last minute)
      </figcaption>
    </figure>
  )
}

/** One structured request log line. Only these fields are ever written: no header, no body. */
export interface RequestLog {
  method: string
  path: string
  status: number
  ms: number
  account?: string | undefined
  region?: string | undefined
  code?: number | undefined
}

export interface Logger {
  /** Absent when the request log is off, so the hot path skips building entries. */
  request?(entry: RequestLog): void
  /** A human-readable line on stderr (start-up, shutdown, faults). */
  info(message: string): void
  flush(): void
}

/**
 * Writes JSON lines, batched per event-loop turn: a write to a pipe is synchronous
 * on Linux, so one write per request would cost a system call each.
 *
 * @example
 * ```ts
 * const logger = createLogger((text) => process.stdout.write(text))
 * ```
 */
export function createLogger(
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): Logger {
  let pending = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending) out(pending)
    pending = ''
  }
  return {
    request(entry) {
      pending += JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n'
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    info(message) {
      err(`nts: ${message}\n`)
    },
    flush,
  }
}

/** A logger that drops everything (`NTS_LOG=off`). */
export const silentLogger: Logger = { info() {}, flush() {} }

import type { IncomingMessage, ServerResponse } from 'node:http'
import { TwilioError, tooLarge } from './errors.ts'
import type { Logger } from './logger.ts'
import type { Metrics } from './metrics.ts'
import type { PlainRequest, PlainResponse, TokenService } from './service.ts'
import { ICE_SERVERS_PATH, MAX_BODY_BYTES, errorResponse } from './service.ts'

const INTERNAL = JSON.stringify(new TwilioError(500, 20500, 'Internal Server Error'))

function toWebRequest(req: IncomingMessage, body: string): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  const method = req.method ?? 'GET'
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? null : body,
  })
}

/** One request and its response: state and handlers on a prototype, not per-request closures. */
class Exchange implements PlainRequest {
  method: string
  path: string
  body = ''
  started: number
  first: Buffer | undefined = undefined
  more: Buffer[] | undefined = undefined
  size = 0
  refused = false

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly listener: Listener,
  ) {
    this.method = req.method ?? ''
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    this.path = query === -1 ? url : url.slice(0, query)
    this.started = listener.logger.request || listener.metrics ? performance.now() : 0
  }

  get ip() {
    return this.req.socket.remoteAddress
  }

  header(name: string) {
    const value = this.req.headers[name]
    return Array.isArray(value) ? value[0] : value
  }

  toRequest() {
    return toWebRequest(this.req, this.body)
  }

  send(response: PlainResponse) {
    // draining: the client learns to reconnect (and is refused) instead of having its next
    // request on this connection cut off
    if (this.listener.draining.value) this.res.setHeader('connection', 'close')
    this.res.writeHead(response.status, response.headers)
    this.res.end(this.method === 'HEAD' ? undefined : response.body)
    const { metrics } = this.listener
    if (metrics) {
      const route = this.path.startsWith('/2010-04-01/')
        ? 'tokens'
        : this.path === ICE_SERVERS_PATH
          ? 'ice-servers'
          : 'other'
      metrics.observe(response, route, (performance.now() - this.started) / 1000)
    }
    this.listener.logger.request?.({
      method: this.method,
      path: this.path.slice(0, 200),
      status: response.status,
      ms: Math.round((performance.now() - this.started) * 100) / 100,
      ...response.log,
    })
  }

  refuseBody() {
    this.refused = true
    this.res.setHeader('connection', 'close')
    this.send(errorResponse(tooLarge(this.listener.maxBodyBytes)))
    this.req.resume()
  }

  fail(error: unknown) {
    // Unexpected: log the kind of fault, not its message (it might quote input).
    this.listener.logger.info(
      `internal error on ${this.method} ${this.path.slice(0, 200)}: ${(error as Error)?.name}`,
    )
    this.send({ status: 500, headers: { 'content-type': 'application/json' }, body: INTERNAL })
  }

  respond() {
    // A small body arrives in one chunk: kept without an array
    this.body = this.more
      ? Buffer.concat(this.more).toString('utf8')
      : (this.first?.toString('utf8') ?? '')
    try {
      const response = this.listener.service.handle(this)
      if (response instanceof Promise)
        response.then(
          (answer) => this.send(answer),
          (error: unknown) => this.fail(error),
        )
      else this.send(response)
    } catch (error) {
      this.fail(error)
    }
  }
}

interface Listener {
  service: Pick<TokenService, 'handle'>
  logger: Logger
  maxBodyBytes: number
  metrics?: Metrics | undefined
  draining: { value: boolean }
}

const EXCHANGE = Symbol('nts.exchange')
type Tagged = IncomingMessage & { [EXCHANGE]: Exchange }

// Shared by every request; `this` is the request, which carries its exchange.
function onData(this: Tagged, chunk: Buffer) {
  const exchange = this[EXCHANGE]
  exchange.size += chunk.length
  if (exchange.size > exchange.listener.maxBodyBytes) {
    if (!exchange.refused) exchange.refuseBody()
  } else if (!exchange.first) exchange.first = chunk
  else (exchange.more ??= [exchange.first]).push(chunk)
}
function onEnd(this: Tagged) {
  const exchange = this[EXCHANGE]
  if (!exchange.refused) exchange.respond()
}
function onError(this: Tagged) {
  this[EXCHANGE].res.destroy()
}

/**
 * Adapts the token service to `node:http` without building Web `Request`s: the
 * hot path reads the body, calls the service and writes one response.
 *
 * @example
 * ```ts
 * const service = createTokenService(parseConfig(process.env))
 * http.createServer(createNodeListener(service, logger)).listen(8080)
 * ```
 */
export function createNodeListener(
  service: Pick<TokenService, 'handle'>,
  logger: Logger,
  options: { maxBodyBytes?: number; metrics?: Metrics; draining?: { value: boolean } } = {},
) {
  const { maxBodyBytes = MAX_BODY_BYTES, metrics, draining = { value: false } } = options
  const listener: Listener = { service, logger, maxBodyBytes, metrics, draining }
  return (req: IncomingMessage, res: ServerResponse) => {
    const exchange = new Exchange(req, res, listener)
    if (Number(req.headers['content-length']) > maxBodyBytes) return exchange.refuseBody()
    ;(req as Tagged)[EXCHANGE] = exchange
    req.on('data', onData)
    req.on('error', onError)
    req.on('end', onEnd)
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { TwilioError, tooLarge } from './errors.ts'
import type { Logger } from './logger.ts'
import type { PlainRequest, PlainResponse, TokenService } from './service.ts'
import { MAX_BODY_BYTES, errorResponse } from './service.ts'

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
  maxBodyBytes = MAX_BODY_BYTES,
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const log = logger.request
    const started = log ? performance.now() : 0
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)

    const send = (response: PlainResponse) => {
      res.writeHead(response.status, response.headers)
      res.end(req.method === 'HEAD' ? undefined : response.body)
      log?.({
        method: req.method ?? '',
        path: path.slice(0, 200),
        status: response.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        ...response.log,
      })
    }

    const refuseBody = () => {
      res.setHeader('connection', 'close')
      send(errorResponse(tooLarge(maxBodyBytes)))
      req.resume()
    }

    if (Number(req.headers['content-length']) > maxBodyBytes) return refuseBody()

    // A small body arrives in one chunk: keep it without an array
    let first: Buffer | undefined
    let more: Buffer[] | undefined
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBodyBytes) {
        if (!refused) refuseBody()
        refused = true
      } else if (!first) first = chunk
      else (more ??= [first]).push(chunk)
    })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      if (refused) return
      const request: PlainRequest = {
        method: req.method ?? '',
        path,
        header: (name) => {
          const value = req.headers[name]
          return Array.isArray(value) ? value[0] : value
        },
        body: more ? Buffer.concat(more).toString('utf8') : (first?.toString('utf8') ?? ''),
        ip: req.socket.remoteAddress,
        toRequest: () => toWebRequest(req, request.body),
      }
      const fail = (error: unknown) => {
        // Unexpected: log the kind of fault, not its message (it might quote input).
        logger.info(
          `internal error on ${request.method} ${path.slice(0, 200)}: ${(error as Error)?.name}`,
        )
        send({ status: 500, headers: { 'content-type': 'application/json' }, body: INTERNAL })
      }
      try {
        const response = service.handle(request)
        if (response instanceof Promise) response.then(send, fail)
        else send(response)
      } catch (error) {
        fail(error)
      }
    })
  }
}

import { TwilioError, tooLarge } from './errors.ts'
import type { PlainRequest, PlainResponse } from './service.ts'
import { MAX_BODY_BYTES, errorResponse } from './service.ts'

/** Reads a Web `Request` body as text, refusing more than `limit` bytes with a 413. */
export async function readBody(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  if (Number(request.headers.get('content-length')) > limit) throw tooLarge(limit)
  if (!request.body) return ''
  const reader = request.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw tooLarge(limit)
    }
    text += decoder.decode(value, { stream: true })
  }
}

export const toResponse = (response: PlainResponse) =>
  new Response(response.status === 204 ? null : response.body, {
    status: response.status,
    headers: response.headers,
  })

/**
 * Wraps a transport-free handler (the token service's or the browser endpoint's)
 * as a Web-standard `(Request) => Promise<Response>` handler.
 *
 * @example
 * ```ts
 * const handler = toWebHandler(createTokenService(parseConfig(process.env)).handle)
 * const response = await handler(new Request('http://localhost/healthz'))
 * ```
 */
export function toWebHandler(
  handle: (request: PlainRequest) => PlainResponse | Promise<PlainResponse>,
) {
  return async (request: Request): Promise<Response> => {
    let body: string
    try {
      body = await readBody(request)
    } catch (error) {
      if (error instanceof TwilioError) return toResponse(errorResponse(error))
      throw error
    }
    return toResponse(
      await handle({
        method: request.method,
        path: new URL(request.url).pathname,
        header: (name) => request.headers.get(name) ?? undefined,
        body,
        toRequest: () => request,
      }),
    )
  }
}

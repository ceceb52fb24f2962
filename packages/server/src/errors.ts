/**
 * An error answered to the client in Twilio's JSON shape:
 * `{"code", "message", "more_info", "status"}`.
 *
 * @example
 * ```ts
 * throw new TwilioError(401, 20003, 'Authenticate')
 * ```
 */
export class TwilioError extends Error {
  override readonly name = 'TwilioError'

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(message, options)
    this.headers = options?.headers
  }

  /** Extra response headers, such as `Allow` on a 405. */
  readonly headers: Record<string, string> | undefined

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    }
  }
}

export const unauthorized = () => new TwilioError(401, 20003, 'Authenticate')
export const notFound = (path: string) =>
  new TwilioError(404, 20404, `The requested resource ${path.slice(0, 200)} was not found`)
export const notSupported = (method: string, allow: string) =>
  new TwilioError(405, 20004, `Method not allowed: ${method.slice(0, 20)} is not supported here`, {
    headers: { allow },
  })
export const invalidParameter = (message: string) => new TwilioError(400, 20001, message)
export const tooLarge = (limit: number) =>
  new TwilioError(413, 20413, `Request body too large: the limit is ${limit} bytes`)
export const unsupportedMediaType = (expected: string) =>
  new TwilioError(415, 20415, `Unsupported Content-Type: send ${expected}`)

/**
 * A configuration value that cannot be used. The message names the variable
 * (or file field) and never contains the value itself, which may be a secret.
 *
 * @example
 * ```ts
 * throw new ConfigError('NTS_MAX_TTL', 'must be an integer from 1 to 86400')
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'

  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable} ${reason}`)
  }
}

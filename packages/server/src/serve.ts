import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import { createServer, type Server } from 'node:http'
import { type AddressInfo, Server as NetServer } from 'node:net'
import { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { type Config, type ConfigFile, type Env, isUnconfigured, parseConfig } from './config.ts'
import { DEV_FILE, devCredentials, devEnv } from './dev.ts'
import { ConfigError } from './errors.ts'
import { type Logger, createLogger } from './logger.ts'
import { createMetrics } from './metrics.ts'
import { createNodeListener } from './node.ts'
import { createTokenService } from './service.ts'

export interface ServeOptions {
  /** Defaults to `process.env`. */
  env?: Env
  /** Path of the JSON config file (`--config`). */
  configFile?: string | undefined
  /** The config file's content, given directly instead of `configFile`. */
  config?: ConfigFile
  logger?: Logger
}

export interface RunningServer {
  server: Server
  url: string
  /** Stops accepting, answers every request already accepted, then resolves. */
  close(): Promise<void>
  /** Reads the configuration and secrets again (what SIGHUP does); false when they are bad. */
  reload(): boolean
}

function readConfigFile(path: string): ConfigFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError('--config', `cannot be read: ${(error as NodeJS.ErrnoException).code}`)
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error()
    return parsed as ConfigFile
  } catch {
    throw new ConfigError('--config', `${path} is not a JSON object`)
  }
}

/**
 * With `NTS_REDIS_URL`, the browser endpoint's limit lives in Redis (rate-limiter-flexible,
 * atomic), so replicas enforce one limit together. Commands fail at once while Redis is
 * down (no offline queue): the endpoint then answers 503, and ioredis reconnects by itself.
 */
function sharedLimiter(config: Config, logger: Logger) {
  if (!config.redisUrl) return undefined
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  let reported = 0
  const onError = (error: unknown) => {
    // one line per 10 s at most, without the URL (it may hold a password)
    if (Date.now() - reported < 10_000) return
    reported = Date.now()
    logger.info(
      `rate limit store unreachable, refusing /v1/ice-servers with 503: ${(error as Error)?.name}`,
    )
  }
  redis.on('error', onError)
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'nts-rate',
    points: config.rateLimit.points,
    duration: config.rateLimit.duration,
  })
  return { redis, limiter, onError }
}

/**
 * The configuration `serve` would use: the environment (or development mode's) and the
 * config file. Throws {@link ConfigError} naming a bad setting.
 */
export function loadConfig(options: ServeOptions = {}) {
  let env = { ...(options.env ?? process.env) }
  for (const name of SECRET_FILES) env = readSecretFile(env, name)
  if (isUnconfigured(env))
    env = devEnv(env, devCredentials(env.NTS_DEV_FILE || DEV_FILE, options.logger))
  const file = options.configFile ? readConfigFile(options.configFile) : options.config
  try {
    return parseConfig(env, file)
  } catch (error) {
    // a value read from NTS_X_FILE is reported under that name
    const fromFile = error instanceof ConfigError && env[`${error.variable}_FILE`]
    if (fromFile)
      throw new ConfigError(
        `${error.variable}_FILE`,
        error.message.slice(error.variable.length + 1),
      )
    throw error
  }
}

/** Secrets that may come from a file instead of the environment (`NTS_ACCOUNTS_FILE`, …). */
const SECRET_FILES = ['NTS_ACCOUNTS', 'NTS_TURN_SECRETS'] as const

function readSecretFile(env: Env, name: (typeof SECRET_FILES)[number]): Env {
  const path = env[`${name}_FILE`]
  if (!path) return env
  if (env[name]) throw new ConfigError(`${name}_FILE`, `and ${name} are both set: use one`)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(
      `${name}_FILE`,
      `cannot be read: ${(error as NodeJS.ErrnoException).code}`,
    )
  }
  // one entry per line or comma-separated, # comments allowed
  const entries = text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .join(',')
  return { ...env, [name]: entries }
}

/**
 * Starts the token server: the only place that reads the environment and listens.
 * Throws {@link ConfigError} before listening when a setting is bad.
 *
 * @example
 * ```ts
 * const { url, close } = await serve({ env: { ...process.env, NTS_PORT: '0' } })
 * ```
 */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env
  // NTS_LOG=off silences the request log (and skips building its entries), not start-up and faults
  const logger = options.logger ?? {
    ...createLogger(),
    ...(env.NTS_LOG === 'off' && { request: undefined }),
  }
  const config = loadConfig({ ...options, env, logger })

  const shared = sharedLimiter(config, logger)
  // give Redis a moment to connect, so the first requests are not refused for nothing
  if (shared)
    await Promise.race([once(shared.redis, 'ready'), setTimeout(3000, undefined, { ref: false })])
  const serviceOptions = { limiter: shared?.limiter, onLimiterError: shared?.onError }
  let service = createTokenService(config, serviceOptions)
  const metrics = createMetrics()
  const draining = { value: false }
  const server = createServer(
    { requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
    createNodeListener(
      {
        handle: (request) =>
          request.path === '/metrics' && request.method === 'GET'
            ? metrics.text().then((body) => ({
                status: 200,
                headers: { 'content-type': metrics.contentType },
                body,
              }))
            : service.handle(request),
      },
      logger,
      { metrics, draining },
    ),
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, resolve)
  })
  const { address, port } = server.address() as AddressInfo
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`
  logger.info(`listening on ${url} (regions: ${[...config.regions.keys()].join(', ')})`)

  const close = () =>
    new Promise<void>((resolve) => {
      draining.value = true
      // Stop listening without http.Server.close()'s immediate cut of idle keep-alive
      // connections: a client may be sending on one right now. Busy connections get
      // `Connection: close` on their next answer; idle ones are closed after a grace.
      let idle: NodeJS.Timeout | undefined
      NetServer.prototype.close.call(server, () => {
        clearInterval(idle)
        shared?.redis.disconnect()
        logger.flush()
        resolve()
      })
      setTimeout(1000, undefined, { ref: false }).then(() => {
        server.closeIdleConnections()
        idle = setInterval(() => server.closeIdleConnections(), 100)
      })
    })

  // SIGHUP: secrets and settings read anew (rotation without a restart); a bad new
  // configuration is refused and the running one kept. Address and port stay as they are.
  const reload = () => {
    try {
      const next = loadConfig({ ...options, env: options.env ?? process.env, logger })
      service = createTokenService(next, serviceOptions)
      logger.info(
        `reloaded: ${next.accounts.size} account(s), ${next.secrets.length} TURN secret(s)`,
      )
      return true
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      logger.info(`reload refused, keeping the running configuration: ${error.message}`)
      return false
    }
  }
  return { server, url, close, reload }
}

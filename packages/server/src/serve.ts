import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ConfigFile, type Env, isUnconfigured, parseConfig } from './config.ts'
import { DEV_FILE, devCredentials, devEnv } from './dev.ts'
import { ConfigError } from './errors.ts'
import { type Logger, createLogger } from './logger.ts'
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
 * The configuration `serve` would use: the environment (or development mode's) and the
 * config file. Throws {@link ConfigError} naming a bad setting.
 */
export function loadConfig(options: ServeOptions = {}) {
  let env = options.env ?? process.env
  if (isUnconfigured(env))
    env = devEnv(env, devCredentials(env.NTS_DEV_FILE || DEV_FILE, options.logger))
  const file = options.configFile ? readConfigFile(options.configFile) : options.config
  return parseConfig(env, file)
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
  let env = options.env ?? process.env
  // NTS_LOG=off silences the request log, not start-up and faults
  const logger = options.logger ?? {
    ...createLogger(),
    ...(env.NTS_LOG === 'off' && { request() {} }),
  }
  if (isUnconfigured(env)) env = devEnv(env, devCredentials(env.NTS_DEV_FILE || DEV_FILE, logger))
  const file = options.configFile ? readConfigFile(options.configFile) : options.config
  const config = parseConfig(env, file)

  const service = createTokenService(config)
  const server = createServer(
    { requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
    createNodeListener(service, logger),
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
      server.close(() => {
        clearInterval(idle)
        logger.flush()
        resolve()
      })
      // Keep-alive sockets become idle once their last response is written.
      const idle = setInterval(() => server.closeIdleConnections(), 50)
      server.closeIdleConnections()
    })
  return { server, url, close }
}

import { type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { type Coturn, startCoturn } from '../../../tools/coturn.ts'
import { DEV_FILE, devCredentials, devEnv } from '../../../packages/server/src/dev.ts'
import { type Logger, createLogger, silentLogger } from '../../../packages/server/src/logger.ts'
import { type RunningServer, serve } from '../../../packages/server/src/serve.ts'
import { createDemoServer } from './demoServer.ts'

export interface StackOptions {
  /** Address everything listens on and the ICE URLs name. @default '127.0.0.1' */
  host?: string
  demoPort?: number
  tokenPort?: number
  /** The two coturn listeners, `global` and `eu`; free ports when absent. */
  coturnPorts?: number[]
  devFile?: string
  quiet?: boolean
}

export interface Stack {
  demoUrl: string
  tokenUrl: string
  coturn: Coturn
  /** Region -> ICE URLs, as the page gets them. */
  regions: Record<string, string[]>
  stop(): Promise<void>
}

const regionUrls = (host: string, port: number) => [
  `stun:${host}:${port}`,
  `turn:${host}:${port}?transport=udp`,
  `turn:${host}:${port}?transport=tcp`,
]

async function listen(server: Server, port: number, host: string) {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return `http://${host}:${(server.address() as AddressInfo).port}`
}

/**
 * Everything a call needs: coturn with two listeners standing for two regions, the
 * standalone token service, and the demo server that embeds the browser endpoint.
 * All share the development TURN secret.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const host = options.host ?? '127.0.0.1'
  const logger: Logger = options.quiet ? silentLogger : createLogger()
  const dev = devCredentials(options.devFile ?? DEV_FILE, logger)
  const coturn = await startCoturn({
    secrets: [dev.turnSecret],
    listeners: 2,
    ports: options.coturnPorts,
    host,
  })
  const regions = {
    global: regionUrls(host, coturn.ports[0]!),
    eu: regionUrls(host, coturn.ports[1]!),
  }

  const demo = createDemoServer({
    staticDir: fileURLToPath(new URL('../dist', import.meta.url)),
    iceServers: {
      secrets: dev.turnSecret,
      iceUrls: regions,
      rateLimit: { points: 120, duration: 60 },
    },
  })
  let token: RunningServer | undefined
  try {
    const demoUrl = await listen(demo, options.demoPort ?? 0, host)
    token = await serve({
      env: devEnv(
        { NTS_HOST: host, NTS_PORT: String(options.tokenPort ?? 0), NTS_ALLOWED_ORIGINS: demoUrl },
        dev,
      ),
      config: { regions },
      logger,
    })
    const running = token
    return {
      demoUrl,
      tokenUrl: running.url,
      coturn,
      regions,
      async stop() {
        demo.closeAllConnections()
        await Promise.all([
          new Promise((resolve) => demo.close(resolve)),
          running.close(),
          coturn.stop(),
        ])
      },
    }
  } catch (error) {
    demo.close()
    await Promise.all([token?.close(), coturn.stop()])
    throw error
  }
}

#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=128
// The flags bound V8's heap: the live heap is a few MB, but under load V8 otherwise grows
// its young and old generations, and RSS with them, by 20-30 MB for no throughput gain
// (measured by `pnpm bench`). 128 MB leaves room for a rate limiter with many clients.
import cluster from 'node:cluster'
import { parseArgs } from 'node:util'
import { isUnconfigured } from './config.ts'
import { DEV_FILE, devCredentials, devEnv } from './dev.ts'
import { ConfigError } from './errors.ts'
import { createLogger } from './logger.ts'
import { type RunningServer, type ServeOptions, loadConfig, serve } from './serve.ts'

const USAGE = `Usage: nts-server [--config FILE] [--workers N]

Serves Twilio's Tokens API (POST /2010-04-01/Accounts/{AccountSid}/Tokens.json) and the
browser endpoint (POST /v1/ice-servers). Settings come from NTS_HOST, NTS_PORT, NTS_ACCOUNTS,
NTS_TURN_SECRETS, NTS_ICE_URLS, NTS_MAX_TTL, NTS_ALLOWED_ORIGINS, NTS_RATE_LIMIT, NTS_WORKERS;
with neither NTS_ACCOUNTS nor NTS_TURN_SECRETS set it runs in development mode. See the README.

  --config FILE   JSON file with ICE URLs per region
  --workers N     processes sharing the port (node:cluster), default NTS_WORKERS or 1`

const fail = (message: string, code = 1): never => {
  console.error(`nts-server: ${message}`)
  process.exit(code)
}

/** Stops on SIGTERM or SIGINT with `drain`, then exits 0 (1 if draining fails or takes 10 s). */
function onStopSignal(drain: () => Promise<boolean>) {
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.error(`nts: ${signal}: draining in-flight requests`)
    setTimeout(() => process.exit(1), 10_000).unref()
    void drain().then((clean) => process.exit(clean ? 0 : 1))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  return () => stopping
}

/** The primary of `--workers N`: checks the settings once, forks, restarts crashed workers, drains them on stop. */
function primary(workers: number, options: ServeOptions) {
  let env = process.env
  // development credentials are made here once, so every worker shares them
  if (isUnconfigured(env))
    env = devEnv(env, devCredentials(env.NTS_DEV_FILE || DEV_FILE, createLogger()))
  loadConfig({ ...options, env })
  const exits = new Map<number, Promise<number>>()
  const fork = () => {
    const worker = cluster.fork({ ...env, NTS_WORKERS: '1' })
    let listening = false
    worker.once('listening', () => (listening = true))
    exits.set(
      worker.id,
      new Promise((resolve) => worker.once('exit', (code) => resolve(code ?? 1))),
    )
    worker.once('exit', (code) => {
      exits.delete(worker.id)
      if (stopping()) return
      if (!listening) fail('a worker could not start (see above)')
      console.error(`nts: worker ${worker.id} exited (${code}), starting another`)
      fork()
    })
  }
  const stopping = onStopSignal(async () => {
    const codes = Promise.all(exits.values())
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    return (await codes).every((code) => code === 0)
  })
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP')
  })
  for (let i = 0; i < workers; i++) fork()
}

async function main() {
  let args
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`, 2)
  }
  if (args.help) return console.log(USAGE)
  const workersText = args.workers ?? process.env.NTS_WORKERS ?? '1'
  const workers = Number(workersText)
  if (!/^\d+$/.test(workersText) || workers < 1 || workers > 256)
    return fail(`${args.workers ? '--workers' : 'NTS_WORKERS'} must be an integer from 1 to 256`, 2)

  const options: ServeOptions = { configFile: args.config }
  try {
    if (workers > 1 && cluster.isPrimary) return primary(workers, options)
    // handlers first: a SIGTERM that lands while the server starts must still drain, not kill
    const started: { server?: RunningServer } = {}
    onStopSignal(async () => {
      await started.server?.close()
      return true
    })
    process.on('SIGHUP', () => started.server?.reload())
    started.server = await serve(options)
  } catch (error) {
    if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      fail((error as Error).message)
    throw error
  }
}

void main()

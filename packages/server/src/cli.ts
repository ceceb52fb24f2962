#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { ConfigError } from './errors.ts'
import { serve } from './serve.ts'

const USAGE = `Usage: nts-server [--config FILE]

Serves Twilio's Tokens API (POST /2010-04-01/Accounts/{AccountSid}/Tokens.json).
Settings come from NTS_HOST, NTS_PORT, NTS_ACCOUNTS, NTS_TURN_SECRETS, NTS_ICE_URLS,
NTS_MAX_TTL; with none of them set it runs in development mode. See the README.`

async function main() {
  let args
  try {
    args = parseArgs({
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values
  } catch (error) {
    console.error(`nts-server: ${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (args.help) return console.log(USAGE)

  try {
    const running = await serve({ configFile: args.config })
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      console.error(`nts: ${signal}: draining in-flight requests`)
      const force = setTimeout(() => process.exit(1), 10_000)
      force.unref()
      void running.close().then(() => process.exit(0))
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
  } catch (error) {
    if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`nts-server: ${(error as Error).message}`)
      process.exit(1)
    }
    throw error
  }
}

void main()

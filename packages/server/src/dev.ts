import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Env } from './config.ts'
import type { Logger } from './logger.ts'

export interface DevCredentials {
  accountSid: string
  authToken: string
  turnSecret: string
}

export const DEV_FILE = '.nts-dev.json'

/**
 * Development mode: reuses the credentials kept in `file`, or creates them (printing
 * them once, on creation), and returns the environment that configures the server
 * with them. ICE URLs keep their default, a local coturn on 127.0.0.1:3478.
 */
export function devCredentials(file: string, logger?: Logger): DevCredentials {
  const path = resolve(file)
  try {
    const kept = JSON.parse(readFileSync(path, 'utf8')) as DevCredentials
    if (kept.accountSid && kept.authToken && kept.turnSecret) {
      logger?.info(`development mode: account ${kept.accountSid}, credentials kept in ${path}`)
      return kept
    }
  } catch {
    // missing or unreadable: create new ones below
  }
  const created: DevCredentials = {
    accountSid: `AC${randomBytes(16).toString('hex')}`,
    authToken: randomBytes(16).toString('hex'),
    turnSecret: randomBytes(24).toString('base64url'),
  }
  writeFileSync(path, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 })
  logger?.info(
    [
      'development mode: no NTS_ACCOUNTS or NTS_TURN_SECRETS set, so a dev account was created.',
      `  AccountSid   ${created.accountSid}`,
      `  AuthToken    ${created.authToken}`,
      `  TURN secret  ${created.turnSecret}   (start coturn with use-auth-secret and this secret)`,
      `  These are shown once and kept in ${path} for the next start.`,
    ].join('\n'),
  )
  return created
}

export const devEnv = (env: Env, dev: DevCredentials): Env => ({
  ...env,
  NTS_ACCOUNTS: `${dev.accountSid}:${dev.authToken}`,
  NTS_TURN_SECRETS: dev.turnSecret,
})

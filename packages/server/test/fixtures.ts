import { parseConfig, type Config, type Env } from '../src/config.ts'

export const SID = 'AC' + 'a1'.repeat(16)
export const OTHER_SID = 'AC' + 'b2'.repeat(16)
export const TOKEN = 'auth-token-0123456789'
export const OTHER_TOKEN = 'other-token-9876543210'
export const SECRET = 'turn-secret-new'
export const NEW_SECRET = SECRET
export const OLD_SECRET = 'turn-secret-old'

export const ENV: Env = {
  NTS_ACCOUNTS: `${SID}:${TOKEN},${OTHER_SID}:${OTHER_TOKEN}`,
  NTS_TURN_SECRETS: `${SECRET},${OLD_SECRET}`,
  NTS_ICE_URLS:
    'stun:global.stun.example.com:3478,turn:global.turn.example.com:3478?transport=udp,turns:global.turn.example.com:443?transport=tcp',
  NTS_PORT: '0',
}

export const testConfig = (env: Env = {}, file?: Parameters<typeof parseConfig>[1]): Config =>
  parseConfig({ ...ENV, ...env }, file)

export const basic = (user: string, password: string) =>
  'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')

/** Every secret of the fixtures: none may appear in a response body or a log. */
export const SECRETS = [TOKEN, OTHER_TOKEN, SECRET, OLD_SECRET]

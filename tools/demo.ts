// `npm run demo`: coturn on 127.0.0.1:3478 and the token server in development mode,
// sharing one TURN secret. Ctrl-C stops both.
import { startCoturn } from './coturn.ts'
import { DEV_FILE, devCredentials, devEnv } from '../packages/server/src/dev.ts'
import { createLogger } from '../packages/server/src/logger.ts'
import { serve } from '../packages/server/src/serve.ts'

const logger = createLogger()
const dev = devCredentials(process.env.NTS_DEV_FILE || DEV_FILE, logger)
const coturn = await startCoturn({ secrets: [dev.turnSecret], ports: [3478] }).catch((error) => {
  console.error(
    `demo: coturn could not start on 127.0.0.1:3478 (is another TURN server running?)\n${error.message}`,
  )
  process.exit(1)
})
const server = await serve({ env: devEnv({ NTS_PORT: '8080', ...process.env }, dev), logger })

console.log(`
nts demo is up: coturn on 127.0.0.1:3478, token server on ${server.url}

  curl -X POST ${server.url}/2010-04-01/Accounts/${dev.accountSid}/Tokens.json \\
    --data-urlencode Ttl=3600 -u "${dev.accountSid}:$(node -p 'require("./${DEV_FILE}").authToken')"

Ctrl-C stops both.`)

const stop = async () => {
  await Promise.all([server.close(), coturn.stop()])
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

// `npm run demo`: builds the demo app, then starts coturn (two listeners standing for two
// regions), the token service and the demo server. Ctrl-C stops all of them.
import { execFileSync } from 'node:child_process'
import { startStack } from '../apps/demo/server/stack.ts'

execFileSync('pnpm', ['--filter', '@nts/demo', 'build'], { stdio: 'inherit' })

const host = process.env.DEMO_HOST || '127.0.0.1'
const stack = await startStack({
  host,
  demoPort: Number(process.env.DEMO_PORT || 5173),
  tokenPort: Number(process.env.NTS_PORT || 8080),
  coturnPorts: [3478, 3479],
}).catch((error: Error) => {
  console.error(`demo: could not start: ${error.message}`)
  process.exit(1)
})

console.log(`
  nts demo

  Open ${stack.demoUrl} and share the room link it gives you.

  coturn        global ${host}:${stack.coturn.ports[0]}, eu ${host}:${stack.coturn.ports[1]}
  token service ${stack.tokenUrl}  (Tokens API and /v1/ice-servers; credentials in .nts-dev.json)
  demo server   ${stack.demoUrl}  (embeds /v1/ice-servers, signalling on /ws)

  Ctrl-C stops all of them.
`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await stack.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

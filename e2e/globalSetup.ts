import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../apps/demo/server/stack.ts'

/** Builds the demo and starts coturn (two regions), the token service and the demo server. */
export default async function globalSetup() {
  execFileSync('pnpm', ['--filter', '@nts/demo', 'build'], { stdio: 'ignore' })
  const devFile = join(mkdtempSync(join(tmpdir(), 'nts-e2e-')), 'dev.json')
  const stack = await startStack({ quiet: true, devFile })
  // Workers inherit these.
  process.env.DEMO_URL = stack.demoUrl
  process.env.TOKEN_URL = stack.tokenUrl
  process.env.COTURN_PORTS = stack.coturn.ports.join(',')
  process.env.NTS_DEV_FILE = devFile
  return async () => {
    // coturn's own log is an artefact: it says why a relay was refused
    mkdirSync('test-results', { recursive: true })
    writeFileSync('test-results/coturn.log', stack.coturn.log())
    await stack.stop()
  }
}

// `pnpm bench [--quick] [--workers N]`: token throughput against the transport limit, side by
// side in one run, as ratios. Writes bench-results.json at the repository root.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort } from '../tools/ports.ts'
import { build as esbuild } from 'esbuild'
import { hookBundleGzipBytes } from './bundle.ts'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
  },
})
const quick = values.quick!
const workers = Number(values.workers)
const connections = Number(values.connections)
const memoryTokens = quick ? 50_000 : 1_000_000

const root = new URL('..', import.meta.url).pathname
const cli = join(root, 'packages/server/dist/cli.js')
// inside the repository, so the compiled peer resolves fastify from node_modules
const work = join(root, 'bench/.build')
mkdirSync(work, { recursive: true })

// Everything runs as plain node on built JavaScript, as in production: the server as
// published (tsdown), the baseline and the peer compiled with esbuild.
execFileSync('pnpm', ['--filter', '@nts/server', 'build'], { stdio: 'ignore' })
chmodSync(join(root, 'packages/server/dist/cli.js'), 0o755)
await esbuild({
  entryPoints: ['baseline.ts', 'peer.ts'].map((file) => join(root, 'bench', file)),
  outdir: work,
  outExtension: { '.js': '.mjs' },
  format: 'esm',
  platform: 'node',
  bundle: true,
  packages: 'external',
  logLevel: 'warning',
})
const SID = 'AC' + '5e'.repeat(16)
const TOKEN = 'bench-auth-token'
const SECRET = 'bench-turn-secret'
const ICE_URLS =
  'stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp'
const AUTH = 'Basic ' + Buffer.from(`${SID}:${TOKEN}`).toString('base64')
const TOKENS_PATH = `/2010-04-01/Accounts/${SID}/Tokens.json`

interface Load {
  rps: number
  requests: number
  p50: number
  p99: number
  non2xx: number
}

function ensureWrk(): boolean {
  if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0) return true
  if (process.getuid?.() !== 0) {
    console.warn('bench: wrk is missing (sudo apt-get install -y wrk); using autocannon')
    return false
  }
  console.log('bench: apt-get install wrk')
  spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' })
  return spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0
}
const useWrk = ensureWrk()

const ms = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1)

function wrk(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  duration: number,
): Load {
  const script = join(work, 'request.lua')
  writeFileSync(
    script,
    [
      `wrk.method = ${JSON.stringify(method)}`,
      `wrk.body = ${JSON.stringify(body)}`,
      ...Object.entries(headers).map(
        ([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`,
      ),
    ].join('\n'),
  )
  const out = execFileSync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url],
    {
      encoding: 'utf8',
    },
  )
  const latency = (p: string) => {
    const match = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out)
    return match ? ms(match[1]!, match[2]!) : NaN
  }
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    p50: latency('50'),
    p99: latency('99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  }
}

async function autocannon(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  duration: number,
): Promise<Load> {
  const { default: run } = await import('autocannon')
  const result = await run({ url, method: method as 'POST', headers, body, connections, duration })
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  }
}

const load = (url: string, headers: Record<string, string>, body: string, duration: number) =>
  useWrk
    ? Promise.resolve(wrk(url, 'POST', headers, body, duration))
    : autocannon(url, 'POST', headers, body, duration)

async function start(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env, PORT: String(port), NTS_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  process.once('exit', () => child.kill('SIGKILL'))
  await new Promise<void>((resolve, reject) => {
    let said = ''
    child.stderr!.on('data', (chunk) => {
      said += chunk
      if (/listening/.test(said)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${said}`)))
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })

/** RSS of a process and its children (cluster workers), in MB. */
function rssMb(pid: number): number {
  const pids = [
    pid,
    ...spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number),
  ]
  let kb = 0
  for (const p of pids) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8')
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  }
  return Math.round(kb / 102.4) / 10
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded', authorization: AUTH }
const JSON_HEADERS = { 'content-type': 'application/json' }
const serverEnv = {
  NTS_ACCOUNTS: `${SID}:${TOKEN}`,
  NTS_TURN_SECRETS: SECRET,
  NTS_ICE_URLS: ICE_URLS,
  NTS_LOG: 'off',
  NTS_RATE_LIMIT: '100000000/s',
  NTS_WORKERS: String(workers),
}

const rounds = quick ? 2 : 5
const perRound = quick ? 1 : 4
console.log(
  `bench: ${useWrk ? 'wrk' : 'autocannon'}, ${connections} connections, ${rounds} rounds of ${perRound} s per target, interleaved${quick ? ' (quick)' : ''}, ${workers} worker(s)\n`,
)

// Memory first, on a fresh server with the machine otherwise idle: RSS after the first 10,000 tokens, then
// after a million (100,000 with --quick).
const fresh = await start(cli, serverEnv)
// exactly 10,000 tokens, over the same 50 connections as the load that follows
const { default: autocannonRun } = await import('autocannon')
const first = await autocannonRun({
  url: fresh.url + TOKENS_PATH,
  method: 'POST',
  headers: FORM,
  body: 'Ttl=3600',
  connections,
  amount: 10_000,
})
let tokensTotal = first.requests.sent
const rssStart = rssMb(fresh.child.pid!)
while (tokensTotal < memoryTokens) {
  const seconds = Math.min(10, Math.ceil((memoryTokens - tokensTotal) / 25_000))
  tokensTotal += (await load(fresh.url + TOKENS_PATH, FORM, 'Ttl=3600', seconds)).requests
}
const rssEnd = rssMb(fresh.child.pid!)
await stop(fresh.child)

// All servers run side by side, each idle while another is measured; the targets take
// turns in rounds, so a slow moment of the machine hits them all alike.
const nts = await start(cli, serverEnv)
const sample = await Promise.all(
  Array.from({ length: 200 }, () =>
    fetch(nts.url + TOKENS_PATH, { method: 'POST', headers: FORM, body: 'Ttl=3600' }).then((r) =>
      r.json(),
    ),
  ),
)
const tokenBody = JSON.stringify(sample[0])
if (new Set(sample.map((token: { username: string }) => token.username)).size !== sample.length)
  throw new Error('bench: tokens are not unique')
const baselineServer = await start(join(work, 'baseline.mjs'), { BODY: tokenBody })
const peerServer = await start(join(work, 'peer.mjs'), {
  ACCOUNT: `${SID}:${TOKEN}`,
  SECRET,
  ICE_URLS,
})

const targets = {
  baseline: () => load(baselineServer.url + TOKENS_PATH, FORM, 'Ttl=3600', perRound),
  tokens: () => load(nts.url + TOKENS_PATH, FORM, 'Ttl=3600', perRound),
  browser: () => load(nts.url + '/v1/ice-servers', JSON_HEADERS, '{"ttl":3600}', perRound),
  peer: () => load(peerServer.url + TOKENS_PATH, FORM, 'Ttl=3600', perRound),
}
const runs: Record<keyof typeof targets, Load[]> = {
  baseline: [],
  tokens: [],
  browser: [],
  peer: [],
}
for (const run of Object.values(targets)) await run() // warm-up, JIT included
for (let round = 0; round < rounds; round++)
  for (const [name, run] of Object.entries(targets)) {
    const result = await run()
    if (result.non2xx) throw new Error(`bench: ${name} answered ${result.non2xx} non-2xx responses`)
    runs[name as keyof typeof targets].push(result)
  }
await Promise.all([nts, baselineServer, peerServer].map((server) => stop(server.child)))

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const summary = (list: Load[]): Load => ({
  rps: median(list.map((r) => r.rps)),
  requests: list.reduce((sum, r) => sum + r.requests, 0),
  p50: median(list.map((r) => r.p50)),
  p99: median(list.map((r) => r.p99)),
  non2xx: 0,
})
const baseline = summary(runs.baseline)
const tokens = summary(runs.tokens)
const browser = summary(runs.browser)
const peer = summary(runs.peer)

const results = {
  baseline_rps: Math.round(baseline.rps),
  tokens_rps: Math.round(tokens.rps),
  browser_rps: Math.round(browser.rps),
  peer_rps: Math.round(peer.rps),
  ratio: Math.round((tokens.rps / baseline.rps) * 1000) / 1000,
  p50_ms: tokens.p50,
  p99_ms: tokens.p99,
  rss_mb_start: rssStart,
  rss_mb_end: rssEnd,
  tokens_total: tokensTotal,
  hook_bundle_gzip_bytes: await hookBundleGzipBytes(),
  body_bytes: Buffer.byteLength(tokenBody),
  workers,
  connections,
  seconds: perRound * rounds,
  rounds,
  load_generator: useWrk ? 'wrk' : 'autocannon',
  quick,
}
writeFileSync(join(root, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n')

const row = (name: string, load: Load) =>
  `| ${name.padEnd(9)} | ${String(Math.round(load.rps)).padStart(8)} | ${(load.rps / baseline.rps).toFixed(2).padStart(5)} | ${load.p50.toFixed(2).padStart(6)} | ${load.p99.toFixed(2).padStart(6)} |`
console.log(
  [
    '| target    | req/s    | × base | p50 ms | p99 ms |',
    '| --------- | -------- | ------ | ------ | ------ |',
    row('baseline', baseline),
    row('tokens', tokens),
    row('browser', browser),
    row('peer', peer),
    '',
    `ratio (tokens / baseline) ${results.ratio}   tokens vs peer ${(tokens.rps / peer.rps).toFixed(2)}×`,
    `RSS ${rssStart} MB after warm-up, ${rssEnd} MB after ${tokensTotal.toLocaleString('en')} tokens`,
    `hook bundle (@nts/react + @nts/client, min+gzip) ${results.hook_bundle_gzip_bytes} bytes`,
    'written to bench-results.json',
  ].join('\n'),
)

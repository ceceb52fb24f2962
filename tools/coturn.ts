import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { freePort } from './ports.ts'

export interface Coturn {
  /** One listening port per listener, all on 127.0.0.1 (UDP and TCP). */
  ports: number[]
  /** The coturn log so far (its stdout). */
  log(): string
  stop(): Promise<void>
}

export interface CoturnOptions {
  /** Shared secrets for `use-auth-secret`; coturn accepts a credential signed by any of them. */
  secrets: string[]
  /** Independent coturn processes, each standing for a region. Default 1. */
  listeners?: number
  /** Fixed ports instead of free ones. */
  ports?: number[]
  realm?: string
  /** Address to listen and relay on. @default '127.0.0.1' */
  host?: string
}

/** Sends a STUN Binding request and resolves once coturn answers it: it is then ready. */
function stunReady(port: number, host: string, timeoutMs = 10_000): Promise<void> {
  const request = Buffer.concat([
    Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]),
    randomBytes(12),
  ])
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    const deadline = setTimeout(() => {
      clearInterval(retry)
      socket.close()
      reject(new Error(`coturn did not answer STUN on ${host}:${port}`))
    }, timeoutMs)
    const send = () => socket.send(request, port, host)
    const retry = setInterval(send, 100)
    socket.on('message', (message) => {
      if (message.readUInt16BE(0) !== 0x0101) return
      clearTimeout(deadline)
      clearInterval(retry)
      socket.close()
      resolve()
    })
    send()
  })
}

async function startOne(port: number, options: CoturnOptions, dir: string) {
  const relayMin = 20000 + Math.floor(Math.random() * 40000)
  const args = [
    '-n',
    `--listening-ip=${options.host ?? '127.0.0.1'}`,
    `--listening-port=${port}`,
    `--relay-ip=${options.host ?? '127.0.0.1'}`,
    `--min-port=${relayMin}`,
    `--max-port=${relayMin + 199}`,
    '--use-auth-secret',
    ...options.secrets.map((secret) => `--static-auth-secret=${secret}`),
    `--realm=${options.realm ?? 'nts'}`,
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-rfc5780',
    '--no-software-attribute',
    '--allow-loopback-peers',
    '--log-file=stdout',
    '--simple-log',
    ...(process.env.COTURN_VERBOSE ? ['--verbose'] : []),
    `--userdb=${join(dir, `turndb-${port}`)}`,
    `--pidfile=${join(dir, `turnserver-${port}.pid`)}`,
  ]
  const child = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  // never outlive the process that started it
  const orphan = () => child.kill('SIGKILL')
  process.once('exit', orphan)
  child.once('exit', () => process.off('exit', orphan))
  let log = ''
  child.stdout.on('data', (chunk) => (log += chunk))
  child.stderr.on('data', (chunk) => (log += chunk))
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`turnserver exited (${code}):\n${log}`))),
  )
  await Promise.race([stunReady(port, options.host ?? '127.0.0.1'), exited])
  return { child, log: () => log }
}

function stopChild(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 2000).unref()
  })
}

/**
 * Starts Debian's coturn (`turnserver`) on loopback with the TURN REST API
 * (`use-auth-secret`) and the given secrets, on free ports unless told otherwise.
 */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'nts-coturn-'))
  const ports = [...(options.ports ?? [])]
  while (ports.length < (options.listeners ?? 1)) ports.push(await freePort(options.host))
  const started = await Promise.all(ports.map((port) => startOne(port, options, dir)))
  return {
    ports,
    log: () => started.map((one) => one.log()).join(''),
    async stop() {
      await Promise.all(started.map((one) => stopChild(one.child)))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Runs coturn's own client, `turnutils_uclient`, which allocates a relay with the
 * credential and exchanges a few packets through it. `ok` is its exit status.
 */
export function allocate(
  port: number,
  username: string,
  password: string,
  options: { tcp?: boolean } = {},
): Promise<{ ok: boolean; output: string }> {
  const args = ['-y', '-n', '2', '-m', '1', '-u', username, '-w', password, '-p', String(port)]
  if (options.tcp) args.unshift('-t')
  return new Promise((resolve) => {
    execFile(
      'turnutils_uclient',
      [...args, '127.0.0.1'],
      { timeout: 15_000 },
      (error, stdout, stderr) => resolve({ ok: !error, output: stdout + stderr }),
    )
  })
}

import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { freePort } from './ports.ts'

export interface RedisServer {
  port: number
  url: string
  stop(): Promise<void>
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>
}

function answersPing(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('error', () => resolve(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
  })
}

/** Debian's redis-server on loopback, on a free port, with no persistence. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const orphan = () => child?.kill('SIGKILL')
  process.once('exit', orphan)
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      )
      for (let i = 0; i < 100 && !(await answersPing(port)); i++)
        await new Promise((r) => setTimeout(r, 50))
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (!child || child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
    },
  }
  await server.start()
  return server
}

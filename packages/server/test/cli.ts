import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const TSX_LOADER = import.meta.resolve('tsx')

export interface CliProcess {
  child: ChildProcessWithoutNullStreams
  stdout(): string
  stderr(): string
  /** Resolves with the base URL once the server says it listens. */
  ready: Promise<string>
  exited: Promise<number | null>
}

/** Runs `nts-server` as its own process, with exactly the given environment. */
export function runCli(env: Record<string, string | undefined>, args: string[] = []): CliProcess {
  // node with tsx's loader, not the tsx wrapper: signals (SIGHUP too) reach the server itself
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI, ...args], {
    env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
  })
  // never outlive the test process, even when a test times out
  const orphan = () => child.kill('SIGKILL')
  process.once('exit', orphan)
  child.once('exit', () => process.off('exit', orphan))
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1]
      if (url) resolve(url)
    })
    void exited.then((code) => reject(new Error(`nts-server exited with ${code}: ${stderr}`)))
  })
  ready.catch(() => {})
  return { child, stdout: () => stdout, stderr: () => stderr, ready, exited }
}

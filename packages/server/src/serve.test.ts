import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from './logger.ts'
import { sign } from './tokens.ts'
import { type RunningServer, serve } from './serve.ts'
import type { TwilioToken } from './types.ts'
import { ENV, SECRETS, SID, TOKEN, basic } from '../test/fixtures.ts'
import { runCli } from '../test/cli.ts'
import { freePort } from '../../../tools/ports.ts'

const PATH = `/2010-04-01/Accounts/${SID}/Tokens.json`

describe('over a real socket', () => {
  let running: RunningServer
  let logged = ''
  let said = ''

  beforeAll(async () => {
    running = await serve({
      env: ENV,
      logger: createLogger(
        (text) => (logged += text),
        (text) => (said += text),
      ),
    })
  })
  afterAll(() => running.close())

  const post = (body: string, authorization = basic(SID, TOKEN)) =>
    fetch(running.url + PATH + '?secret=' + TOKEN, {
      method: 'POST',
      body,
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    })

  it('mints tokens and logs one line per request without any secret', async () => {
    logged = ''
    const ok = await post('Ttl=60')
    expect(ok.status).toBe(201)
    const token = (await ok.json()) as TwilioToken
    expect((await post('Ttl=60', basic(SID, 'not-' + TOKEN))).status).toBe(401)
    await new Promise((resolve) => setImmediate(resolve))
    const lines = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines).toMatchObject([
      { method: 'POST', path: PATH, status: 201, account: SID, region: 'global' },
      { method: 'POST', path: PATH, status: 401, code: 20003 },
    ])
    for (const secret of [...SECRETS, token.password]) {
      expect(logged).not.toContain(secret)
      expect(said).not.toContain(secret)
    }
  })

  it('refuses a streamed body over the limit with 413 and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(running.url + PATH, {
        method: 'POST',
        headers: {
          authorization: basic(SID, TOKEN),
          'content-type': 'application/x-www-form-urlencoded',
        },
      })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      // chunked, so the server cannot know the size up front
      for (let i = 0; i < 40; i++) req.write('x'.repeat(1024))
      req.end()
    })
    expect(status).toBe(413)
    expect((await post('')).status).toBe(201)
  })

  it('refuses a declared Content-Length over the limit without reading it', async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(running.url).port), '127.0.0.1')
      let text = ''
      socket.on('data', (chunk) => (text += chunk))
      socket.on('close', () => resolve(text))
      socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n`)
    })
    expect(answer).toMatch(/^HTTP\/1.1 413 /)
  })

  it('serves Prometheus metrics: tokens per account and region, refusals by reason, latency', async () => {
    const before = await (await fetch(running.url + '/metrics')).text()
    const count = (text: string, line: string) =>
      Number(new RegExp(`^${line.replace(/[{}"|]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
    const issued = `nts_tokens_issued_total{account="${SID}",region="global"}`
    await post('Ttl=60')
    await post('Ttl=60')
    await post('Ttl=0')
    await post('', basic(SID, 'wrong'))
    const response = await fetch(running.url + '/metrics')
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    expect(count(text, issued) - count(before, issued)).toBe(2)
    expect(
      count(text, 'nts_refusals_total{reason="invalid"}') -
        count(before, 'nts_refusals_total{reason="invalid"}'),
    ).toBe(1)
    expect(
      count(text, 'nts_refusals_total{reason="auth"}') -
        count(before, 'nts_refusals_total{reason="auth"}'),
    ).toBe(1)
    expect(
      count(text, 'nts_request_duration_seconds_count{route="tokens"}'),
    ).toBeGreaterThanOrEqual(4)
    expect(text).toContain('nodejs_heap_size_used_bytes')
    for (const secret of SECRETS) expect(text).not.toContain(secret)
  })

  it('answers HEAD /healthz without a body', async () => {
    const response = await fetch(running.url + '/healthz', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
  })
})

describe('the nts-server process', () => {
  it('stops at start with a message naming a bad variable', async () => {
    const cli = runCli({ ...ENV, NTS_MAX_TTL: 'lots', NTS_ACCOUNTS: `${SID}:${TOKEN}` })
    expect(await cli.exited).toBe(1)
    expect(cli.stderr()).toContain('NTS_MAX_TTL must be an integer from 1 to 86400')
    expect(cli.stderr()).not.toContain(TOKEN)
  })

  it('stops at start when the config file is not JSON', async () => {
    const cli = runCli(ENV, ['--config', '/nonexistent/regions.json'])
    expect(await cli.exited).toBe(1)
    expect(cli.stderr()).toContain('--config cannot be read: ENOENT')
  })

  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    const cli = runCli(ENV)
    const url = new URL(await cli.ready)
    const socket = connect(Number(url.port), url.hostname)
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk))
    const closed = new Promise((resolve) => socket.on('close', resolve))
    const body = 'Ttl=120'
    socket.write(
      `POST ${PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(SID, TOKEN)}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\nTtl=`,
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    cli.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 200))
    // the request is still open: finish it after the signal
    socket.write('120')
    await closed
    expect(answer).toMatch(/^HTTP\/1.1 201 /)
    expect(answer).toContain('"ttl":"120"')
    expect(await cli.exited).toBe(0)
    expect(cli.stderr()).toContain('SIGTERM: draining')
  })

  it('reads secrets from files, and on SIGHUP rotates them without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nts-secrets-'))
    const accounts = join(dir, 'accounts')
    const secrets = join(dir, 'turn-secrets')
    writeFileSync(accounts, `# one account per line\n${SID}:${TOKEN}\n`)
    writeFileSync(secrets, 'first-secret\n')
    const cli = runCli({
      NTS_PORT: '0',
      NTS_ACCOUNTS_FILE: accounts,
      NTS_TURN_SECRETS_FILE: secrets,
    })
    const url = await cli.ready
    const mint = async (token: string) => {
      const response = await fetch(url + PATH, {
        method: 'POST',
        headers: { authorization: basic(SID, token) },
      })
      return {
        status: response.status,
        token: response.status === 201 ? ((await response.json()) as TwilioToken) : undefined,
      }
    }
    const before = (await mint(TOKEN)).token!
    expect(before.password).toBe(sign('first-secret', before.username))

    const newToken = 'rotated-auth-token'
    writeFileSync(
      accounts,
      `${SID}:sha256:${createHash('sha256').update(newToken).digest('hex')}\n`,
    )
    writeFileSync(secrets, 'second-secret\nfirst-secret\n')
    cli.child.kill('SIGHUP')
    await expect.poll(() => cli.stderr()).toContain('reloaded: 1 account(s), 2 TURN secret(s)')
    expect((await mint(TOKEN)).status).toBe(401)
    const after = (await mint(newToken)).token!
    expect(after.password).toBe(sign('second-secret', after.username))

    writeFileSync(secrets, '# emptied by mistake\n')
    cli.child.kill('SIGHUP')
    await expect
      .poll(() => cli.stderr())
      .toContain('reload refused, keeping the running configuration: NTS_TURN_SECRETS_FILE')
    const kept = (await mint(newToken)).token!
    expect(kept.password).toBe(sign('second-secret', kept.username))
    for (const secret of ['first-secret', 'second-secret', TOKEN, newToken])
      expect(cli.stderr()).not.toContain(secret)
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
  })

  it('refuses a secret both in the environment and in a file, or an unreadable file', async () => {
    const both = runCli({ ...ENV, NTS_ACCOUNTS_FILE: '/etc/hostname' })
    expect(await both.exited).toBe(1)
    expect(both.stderr()).toContain('NTS_ACCOUNTS_FILE and NTS_ACCOUNTS are both set: use one')
    const missing = runCli({
      NTS_ACCOUNTS: ENV.NTS_ACCOUNTS,
      NTS_TURN_SECRETS_FILE: '/nonexistent/secrets',
    })
    expect(await missing.exited).toBe(1)
    expect(missing.stderr()).toContain('NTS_TURN_SECRETS_FILE cannot be read: ENOENT')
  })

  it('runs --workers processes on one port and drains them all on SIGTERM', async () => {
    const cli = runCli({ ...ENV, NTS_PORT: String(await freePort()) }, ['--workers', '2'])
    const url = await cli.ready
    await expect.poll(() => cli.stderr().match(/listening on/g)?.length).toBe(2)
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(url + PATH, { method: 'POST', headers: { authorization: basic(SID, TOKEN) } }),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201))
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
  })

  it('refuses a bad worker count, naming it', async () => {
    const cli = runCli({ ...ENV, NTS_WORKERS: 'many' })
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toContain('NTS_WORKERS must be an integer from 1 to 256')
  })

  it('runs in development mode with no configuration, reusing its credentials', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nts-dev-')), 'dev.json')
    const first = runCli({ NTS_PORT: '0', NTS_DEV_FILE: file })
    const url = await first.ready
    const dev = JSON.parse(readFileSync(file, 'utf8'))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(first.stderr()).toContain(dev.authToken)
    expect(first.stderr()).toContain(dev.turnSecret)
    const response = await fetch(`${url}/2010-04-01/Accounts/${dev.accountSid}/Tokens.json`, {
      method: 'POST',
      headers: { authorization: basic(dev.accountSid, dev.authToken) },
    })
    const token = (await response.json()) as TwilioToken
    expect(token.ice_servers.map((server) => server.urls)).toEqual([
      'stun:127.0.0.1:3478',
      'turn:127.0.0.1:3478?transport=udp',
      'turn:127.0.0.1:3478?transport=tcp',
    ])
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    const second = runCli({ NTS_PORT: '0', NTS_DEV_FILE: file })
    await second.ready
    expect(second.stderr()).toContain(dev.accountSid)
    expect(second.stderr()).not.toContain(dev.authToken)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(dev)
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })
})

import { Agent, request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliProcess, runCli } from './cli.ts'
import { ENV, SID, TOKEN, basic } from './fixtures.ts'

const PATH = `/2010-04-01/Accounts/${SID}/Tokens.json`
const AUTH = basic(SID, TOKEN)

/** Raw bytes to the server; resolves with everything it answered before closing (bounded). */
function raw(port: number, chunks: (string | Buffer)[], { gapMs = 0, waitMs = 1500 } = {}) {
  return new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (data) => (answer += data.toString('latin1')))
    socket.on('error', () => {})
    const done = setTimeout(() => socket.destroy(), waitMs)
    socket.on('close', () => {
      clearTimeout(done)
      resolve(answer)
    })
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return
        socket.write(chunk)
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs))
      }
    })()
  })
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)

async function heapUsedMb(url: string) {
  const text = await (await fetch(url + '/metrics')).text()
  return Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1]) / 1048576
}

describe('abuse over a real socket', () => {
  let cli: CliProcess
  let url: string
  let port: number
  beforeAll(async () => {
    cli = runCli({ ...ENV, NTS_LOG: 'off', NTS_RATE_LIMIT: '100000/s', NTS_ALLOWED_ORIGINS: '*' })
    url = await cli.ready
    port = Number(new URL(url).port)
  })
  afterAll(async () => {
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
  })

  it('keeps answering others while it is abused, and its memory comes back', async () => {
    const heapBefore = await heapUsedMb(url)
    let probing = true
    const probes: number[] = []
    const probe = (async () => {
      while (probing) {
        const response = await fetch(url + PATH, {
          method: 'POST',
          headers: { authorization: AUTH },
        })
        probes.push(response.status)
        await response.arrayBuffer()
        await new Promise((r) => setTimeout(r, 20))
      }
    })()

    const head = (more = '') =>
      `POST ${PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\n${more}`
    const results = await Promise.all([
      // truncated body: promised 100 bytes, sends 5, then hangs up
      raw(port, [head('Content-Length: 100\r\n\r\nTtl=6')], { waitMs: 300 }),
      // oversized, declared and streamed
      raw(port, [head('Content-Length: 999999\r\n\r\n')]),
      raw(port, [
        head('Transfer-Encoding: chunked\r\n\r\n'),
        ...Array(40).fill(`400\r\n${'x'.repeat(1024)}\r\n`),
        '0\r\n\r\n',
      ]),
      // invalid UTF-8 in the body
      raw(port, [
        head('Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\n'),
        Buffer.from([0x54, 0x74, 0x6c, 0x3d, 0xc3, 0x28]),
      ]),
      raw(port, [
        `POST /v1/ice-servers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n`,
        Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      ]),
      // header flood: many headers, then one huge header
      raw(port, [
        head(Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${i}\r\n`).join('') + '\r\n'),
      ]),
      raw(port, [head(`X-Big: ${'a'.repeat(70_000)}\r\n\r\n`)]),
      // wrong methods and path traversal-looking paths
      raw(port, [
        `DELETE ${PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Length: 0\r\n\r\n`,
      ]),
      raw(port, [`GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n`]),
      raw(port, [
        `GET /2010-04-01/Accounts/..%2F..%2Fetc%2Fpasswd/Tokens.json HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]),
      raw(port, [`BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n`]),
      raw(port, ['this is not http\r\n\r\n']),
      // pipelining: three requests in one write, three answers in order
      raw(port, [
        [1, 2, 3]
          .map((n) =>
            head(
              `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\nTtl=${n}0`,
            ),
          )
          .join(''),
      ]),
      // slow clients (slowloris), bounded: a byte every 400 ms for ~6 s each
      ...Array.from({ length: 10 }, () =>
        raw(port, [...head()].slice(0, 15), { gapMs: 400, waitMs: 7000 }),
      ),
    ])
    probing = false
    await probe

    const [
      truncated,
      declared,
      streamed,
      utf8Form,
      utf8Json,
      flood,
      big,
      del,
      traversal,
      encoded,
      brew,
      junk,
      pipelined,
      ...slow
    ] = results
    expect(statusOf(truncated!)).toBe(0) // never answered: the client left before its body ended
    expect(statusOf(declared!)).toBe(413)
    expect(statusOf(streamed!)).toBe(413)
    expect(statusOf(utf8Form!)).toBe(400)
    expect(statusOf(utf8Json!)).toBe(400)
    expect(statusOf(flood!)).toBe(431)
    expect(statusOf(big!)).toBe(431)
    expect(statusOf(del!)).toBe(405)
    expect(statusOf(traversal!)).toBe(404)
    expect(statusOf(encoded!)).toBe(405) // GET on the list, whatever the account
    expect(statusOf(brew!)).toBe(400)
    expect(statusOf(junk!)).toBe(400)
    expect(pipelined!.match(/HTTP\/1\.1 201/g)).toHaveLength(3)
    expect([...pipelined!.matchAll(/"ttl":"(\d+)"/g)].map((m) => m[1])).toEqual(['10', '20', '30'])
    for (const answer of slow) expect(statusOf(answer) === 0 || statusOf(answer) === 408).toBe(true)
    expect(results.every((answer) => !/^HTTP\/1\.1 5/.test(answer))).toBe(true)

    // the other client was served all along
    expect(probes.length).toBeGreaterThan(50)
    expect(new Set(probes)).toEqual(new Set([201]))
    await new Promise((r) => setTimeout(r, 1000))
    expect(await heapUsedMb(url)).toBeLessThan(heapBefore + 32)
  }, 20_000)
})

describe('SIGTERM under load', () => {
  it('answers every accepted request, resets none, and exits 0', async () => {
    const cli = runCli({ ...ENV, NTS_LOG: 'off' })
    const base = new URL(await cli.ready)
    const outcomes: string[] = []
    let running = true
    // keep-alive connections, as a load generator uses them: after SIGTERM each gets its
    // in-flight answer with `Connection: close`, and a reconnect is refused (never accepted)
    const agent = new Agent({ keepAlive: true, maxSockets: 20 })
    const one = () =>
      new Promise<void>((resolve) => {
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path: PATH,
            method: 'POST',
            agent,
            headers: {
              authorization: AUTH,
              'content-length': 8,
              'content-type': 'application/x-www-form-urlencoded',
            },
          },
          (res) => {
            res.resume()
            res.on('end', () => {
              outcomes.push(String(res.statusCode))
              resolve()
            })
          },
        )
        req.on('error', (error: NodeJS.ErrnoException) => {
          outcomes.push(error.code ?? 'error')
          resolve()
        })
        req.end('Ttl=3600')
      })
    const load = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (running) await one()
      }),
    )
    await new Promise((r) => setTimeout(r, 1500))
    cli.child.kill('SIGTERM')
    const code = await cli.exited
    await new Promise((r) => setTimeout(r, 200))
    running = false
    await load
    agent.destroy()
    expect(code).toBe(0)
    const counts = outcomes.reduce<Record<string, number>>(
      (all, o) => ({ ...all, [o]: (all[o] ?? 0) + 1 }),
      {},
    )
    expect(counts['201']).toBeGreaterThan(100)
    // only answers, and refusals of connections that were never accepted
    expect(Object.keys(counts).sort()).toEqual(
      Object.keys(counts)
        .filter((o) => o === '201' || o === 'ECONNREFUSED')
        .sort(),
    )
  }, 20_000)
})

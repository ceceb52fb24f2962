import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.ts'
import { parseConfig } from '../src/config.ts'
import { createTokenService } from '../src/service.ts'
import { toWebHandler } from '../src/web.ts'
import { ENV, SECRETS, SID, TOKEN, basic, testConfig } from './fixtures.ts'

// Property-based: whatever arrives, the answer is a 2xx or a 4xx with a JSON error that
// names no secret, and no exception escapes.
const handler = toWebHandler(
  createTokenService(testConfig({ NTS_ALLOWED_ORIGINS: '*', NTS_RATE_LIMIT: '1000000/s' })).handle,
)
const PATH = `/2010-04-01/Accounts/${SID}/Tokens.json`
const RUNS = { numRuns: 300 }

async function call(init: RequestInit & { path?: string }) {
  const response = await handler(new Request(`http://nts.test${init.path ?? PATH}`, init))
  const text = await response.text()
  expect(response.status).toBeLessThan(500)
  if (response.status >= 400) {
    const body = JSON.parse(text) as { code: number; message: string; status: number }
    expect(body.status).toBe(response.status)
    expect(typeof body.message).toBe('string')
    for (const secret of SECRETS) expect(text).not.toContain(secret)
  }
  return { status: response.status, text }
}

const form = { 'content-type': 'application/x-www-form-urlencoded' }
const bytes = fc.uint8Array({ maxLength: 300 })

describe('every input parser, on arbitrary input', () => {
  it('Authorization: anything but the right credentials is a 401', async () => {
    const headers = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Basic ${s}`),
      fc.tuple(fc.string(), fc.string()).map(([user, pass]) => basic(user, pass)),
      bytes.map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
    )
    await fc.assert(
      fc.asyncProperty(headers, async (authorization) => {
        fc.pre(/^[\t\x20-\x7e\x80-\xff]*$/.test(authorization)) // what a header can carry
        const { status } = await call({ method: 'POST', headers: { ...form, authorization } })
        expect(status).toBe(authorization === basic(SID, TOKEN) ? 201 : 401)
      }),
      RUNS,
    )
  })

  it('form bodies: arbitrary bytes give a token or a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          bytes.map((b) => Buffer.from(b)),
          fc.string(),
        ),
        async (body) => {
          const { status } = await call({
            method: 'POST',
            body,
            headers: { ...form, authorization: basic(SID, TOKEN) },
          })
          expect([201, 400]).toContain(status)
        },
      ),
      RUNS,
    )
  })

  it('Ttl: exactly the integers from 1 to 86400 are accepted', async () => {
    const ttl = fc.oneof(
      fc.integer({ min: -10, max: 90_000 }).map(String),
      fc.string(),
      fc.double().map(String),
    )
    await fc.assert(
      fc.asyncProperty(ttl, async (value) => {
        const body = new URLSearchParams({ Ttl: value }).toString()
        const { status } = await call({
          method: 'POST',
          body,
          headers: { ...form, authorization: basic(SID, TOKEN) },
        })
        const valid = /^\d{1,9}$/.test(value) && +value >= 1 && +value <= 86400
        expect(status).toBe(valid ? 201 : 400)
      }),
      RUNS,
    )
  })

  it('Region: only configured regions are accepted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (region) => {
        const body = new URLSearchParams({ Region: region }).toString()
        const { status } = await call({
          method: 'POST',
          body,
          headers: { ...form, authorization: basic(SID, TOKEN) },
        })
        expect(status).toBe(region === 'global' ? 201 : 400)
      }),
      RUNS,
    )
  })

  it('JSON bodies of the browser endpoint: a token or a clear 400', async () => {
    const body = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ ttl: fc.anything(), region: fc.anything() }, { requiredKeys: [] }).map((v) => {
        try {
          return JSON.stringify(v)
        } catch {
          return '{}'
        }
      }),
      fc.string(),
      bytes.map((b) => Buffer.from(b).toString('latin1')),
    )
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const { status } = await call({
          path: '/v1/ice-servers',
          method: 'POST',
          body: text,
          headers: { 'content-type': 'application/json' },
        })
        expect([201, 400]).toContain(status)
      }),
      RUNS,
    )
  })

  it('paths and methods: never a 5xx', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')
    const path = fc.oneof(
      fc.webPath(),
      fc.string().map((s) => `/2010-04-01/Accounts/${encodeURIComponent(s)}/Tokens.json`),
      fc.constantFrom('/..%2f..%2fetc/passwd', '/v1/ice-servers/', '//healthz', PATH + '%00'),
    )
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        await call({
          method: m,
          path: p.startsWith('/') ? p : `/${p}`,
          headers: { authorization: basic(SID, TOKEN) },
        })
      }),
      RUNS,
    )
  })

  it('configuration values: a Config or a ConfigError naming the variable, nothing else', () => {
    const name = fc.constantFrom(
      'NTS_PORT',
      'NTS_ACCOUNTS',
      'NTS_TURN_SECRETS',
      'NTS_ICE_URLS',
      'NTS_MAX_TTL',
      'NTS_ALLOWED_ORIGINS',
      'NTS_RATE_LIMIT',
    )
    fc.assert(
      fc.property(name, fc.string(), (variable, value) => {
        try {
          parseConfig({ ...ENV, [variable]: value })
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError)
          expect((error as ConfigError).variable).toBe(variable)
        }
      }),
      { numRuns: 1000 },
    )
  })
})

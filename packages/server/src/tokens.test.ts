import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { mintCredential, rfc2822, sign, uniqueId } from './tokens.ts'

describe('sign', () => {
  it('is base64 HMAC-SHA1 (RFC 2202-style known vector)', () => {
    expect(sign('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      '3nybhbi3iqa8ino29wqQcBydtNk=',
    )
  })
})

describe('mintCredential', () => {
  const now = Date.UTC(2020, 4, 1, 1, 42, 57, 500)

  it('puts the unix expiry first and signs the whole username', () => {
    const { username, password } = mintCredential({ secret: 's', ttl: 3600, now, id: 'abc' })
    expect(username).toBe(`${Math.ceil(now / 1000) + 3600}:abc`)
    expect(password).toBe(createHmac('sha1', 's').update(username).digest('base64'))
  })

  it('puts a label between expiry and id', () => {
    const { username } = mintCredential({ secret: 's', ttl: 60, now, label: 'alice', id: 'x' })
    expect(username).toBe(`${Math.ceil(now / 1000) + 60}:alice:x`)
  })

  it('gives every token its own id', () => {
    const names = new Set(
      Array.from({ length: 5000 }, () => mintCredential({ secret: 's', ttl: 1, now }).username),
    )
    expect(names.size).toBe(5000)
  })
})

describe('uniqueId', () => {
  it('is 128 bits of hex, unique across pool refills', () => {
    const ids = Array.from({ length: 3000 }, uniqueId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('rfc2822', () => {
  it('formats like Twilio', () => {
    expect(rfc2822(Date.UTC(2020, 4, 1, 1, 42, 57))).toBe('Fri, 01 May 2020 01:42:57 +0000')
    expect(rfc2822(Date.UTC(2026, 11, 4, 9, 5, 3))).toBe('Fri, 04 Dec 2026 09:05:03 +0000')
  })
})

import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSigner } from './signer.ts'

const reference = (secret: string, message: string) =>
  createHmac('sha1', secret).update(message).digest('base64')

describe('createSigner', () => {
  it('matches node:crypto on random keys and messages of every length up to 200', () => {
    for (let length = 0; length <= 200; length++) {
      const secret = randomBytes(1 + (length % 90)).toString('base64')
      const message = String.fromCharCode(...randomBytes(length).map((byte) => byte & 0x7f))
      expect(createSigner(secret)(message)).toBe(reference(secret, message))
    }
  })

  it('handles keys longer than a block, empty keys and non-ASCII messages', () => {
    for (const secret of [
      '',
      'k',
      'x'.repeat(64),
      'y'.repeat(65),
      'z'.repeat(300),
      'ünïcødé-secret',
    ]) {
      const sign = createSigner(secret)
      for (const message of [
        '',
        '1700000000:alice',
        'ünïcødé',
        '1796418505:6a0f8f1acd7a8775178e9f1c7ae314f9',
      ])
        expect(sign(message)).toBe(reference(secret, message))
    }
  })

  it('keeps separate signers independent when interleaved', () => {
    const a = createSigner('a')
    const b = createSigner('b')
    for (let i = 0; i < 100; i++) {
      expect(a(`m${i}`)).toBe(reference('a', `m${i}`))
      expect(b(`m${i}`)).toBe(reference('b', `m${i}`))
    }
  })
})

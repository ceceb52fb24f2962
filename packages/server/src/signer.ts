import { createHash, createHmac } from 'node:crypto'

// HMAC-SHA1 for short ASCII messages, in JavaScript: with the key's inner and outer
// pad blocks compressed once up front, a signature is two or three SHA-1 block
// compressions and no allocation but the answer. Calling node:crypto per token costs
// several times more on a loaded server (its object set-up, not the hashing). The
// tests check it against node:crypto's HMAC on random keys and messages.

const w = new Int32Array(80)
const block = new Uint8Array(64)
const state = new Int32Array(5)
const inner = new Int32Array(5)
const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function compress(h: Int32Array, bytes: Uint8Array) {
  for (let i = 0; i < 16; i++)
    w[i] =
      (bytes[i * 4]! << 24) |
      (bytes[i * 4 + 1]! << 16) |
      (bytes[i * 4 + 2]! << 8) |
      bytes[i * 4 + 3]!
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!
    w[i] = (x << 1) | (x >>> 31)
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]! // prettier-ignore
  for (let i = 0; i < 80; i++) {
    const f =
      i < 20
        ? ((b & c) | (~b & d)) + 0x5a827999
        : i < 40
          ? (b ^ c ^ d) + 0x6ed9eba1
          : i < 60
            ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
            : (b ^ c ^ d) + 0xca62c1d6
    const t = (((a << 5) | (a >>> 27)) + f + e + w[i]!) | 0
    e = d
    d = c
    c = (b << 30) | (b >>> 2)
    b = a
    a = t
  }
  h[0] = (h[0]! + a) | 0
  h[1] = (h[1]! + b) | 0
  h[2] = (h[2]! + c) | 0
  h[3] = (h[3]! + d) | 0
  h[4] = (h[4]! + e) | 0
}

/**
 * Hashes `message` into `h`, a state after `prefixBytes` of whole blocks. Returns false,
 * leaving `h` unusable, for a string with a character beyond ASCII.
 */
function finish(h: Int32Array, prefixBytes: number, message: Uint8Array | string, length: number) {
  let used = 0
  for (let i = 0; i < length; i++) {
    const byte = typeof message === 'string' ? message.charCodeAt(i) : message[i]!
    if (byte > 0x7f && typeof message === 'string') return false
    block[used++] = byte
    if (used === 64) {
      compress(h, block)
      used = 0
    }
  }
  block[used++] = 0x80
  if (used > 56) {
    block.fill(0, used)
    compress(h, block)
    used = 0
  }
  block.fill(0, used, 56)
  const bits = (prefixBytes + length) * 8
  block[60] = bits >>> 24
  block[61] = bits >>> 16
  block[62] = bits >>> 8
  block[63] = bits
  block[56] = block[57] = block[58] = block[59] = 0
  compress(h, block)
  return true
}

function padState(key: Buffer, pad: number) {
  const h = Int32Array.from(IV)
  const bytes = new Uint8Array(64)
  for (let i = 0; i < 64; i++) bytes[i] = (key[i] ?? 0) ^ pad
  compress(h, bytes)
  return h
}

const digestBytes = new Uint8Array(20)

function base64(h: Int32Array) {
  for (let i = 0; i < 5; i++) {
    digestBytes[i * 4] = h[i]! >>> 24
    digestBytes[i * 4 + 1] = h[i]! >>> 16
    digestBytes[i * 4 + 2] = h[i]! >>> 8
    digestBytes[i * 4 + 3] = h[i]!
  }
  let out = ''
  for (let i = 0; i < 18; i += 3) {
    const n = (digestBytes[i]! << 16) | (digestBytes[i + 1]! << 8) | digestBytes[i + 2]!
    out += BASE64[n >>> 18]! + BASE64[(n >>> 12) & 63]! + BASE64[(n >>> 6) & 63]! + BASE64[n & 63]!
  }
  const n = (digestBytes[18]! << 16) | (digestBytes[19]! << 8)
  return out + BASE64[n >>> 18]! + BASE64[(n >>> 12) & 63]! + BASE64[(n >>> 6) & 63]! + '='
}

/**
 * A function computing base64(HMAC-SHA1(secret, message)), as coturn checks TURN REST
 * API passwords. Messages with characters beyond ASCII go through node:crypto.
 *
 * @example
 * ```ts
 * const sign = createSigner('s3cret')
 * sign('1700000000:alice') // same as createHmac('sha1', 's3cret').update(...).digest('base64')
 * ```
 */
export function createSigner(secret: string): (message: string) => string {
  let key = Buffer.from(secret, 'utf8')
  if (key.length > 64) key = createHash('sha1').update(key).digest()
  const ipad = padState(key, 0x36)
  const opad = padState(key, 0x5c)
  return (message) => {
    inner.set(ipad)
    if (!finish(inner, 64, message, message.length))
      return createHmac('sha1', secret).update(message).digest('base64')
    for (let i = 0; i < 5; i++) {
      digestBytes[i * 4] = inner[i]! >>> 24
      digestBytes[i * 4 + 1] = inner[i]! >>> 16
      digestBytes[i * 4 + 2] = inner[i]! >>> 8
      digestBytes[i * 4 + 3] = inner[i]!
    }
    state.set(opad)
    finish(state, 64, digestBytes, 20)
    return base64(state)
  }
}

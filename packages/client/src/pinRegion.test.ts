import { describe, expect, it } from 'vitest'
import { pinRegion } from './pinRegion.ts'

describe('pinRegion', () => {
  it('replaces the leading global label of every STUN/TURN host', () => {
    const pinned = pinRegion(
      [
        { urls: 'stun:global.stun.twilio.com:3478' },
        {
          urls: [
            'turn:global.turn.twilio.com:3478?transport=udp',
            'turns:global.turn.twilio.com:443?transport=tcp',
          ],
          username: 'u',
          credential: 'c',
        },
        { urls: 'turn:turn.example.com:3478' },
        { urls: 'turn:notglobal.example.com:3478' },
      ],
      'frankfurt',
    )
    expect(pinned).toEqual([
      { urls: 'stun:frankfurt.stun.twilio.com:3478' },
      {
        urls: [
          'turn:frankfurt.turn.twilio.com:3478?transport=udp',
          'turns:frankfurt.turn.twilio.com:443?transport=tcp',
        ],
        username: 'u',
        credential: 'c',
      },
      { urls: 'turn:turn.example.com:3478' },
      { urls: 'turn:notglobal.example.com:3478' },
    ])
  })

  it('refuses a region that is not a host label', () => {
    expect(() => pinRegion([], 'evil.com/')).toThrow(TypeError)
  })
})

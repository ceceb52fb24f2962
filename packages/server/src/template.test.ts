import { describe, expect, it } from 'vitest'
import { compileTemplate } from './template.ts'

describe('compileTemplate', () => {
  it.each([
    [
      [
        'stun:a.example.com:3478',
        'turn:a.example.com:3478?transport=udp',
        'turns:a.example.com:443?transport=tcp',
      ],
    ],
    [['turn:only.example.com']],
    [['stun:only.example.com']],
    [['turn:[::1]:3478', 'stun:b', 'turn:c', 'stun:d']],
  ])('writes exactly JSON.stringify of the token for %j', (urls) => {
    const username = '1796418505:alice@example.com:6a0f8f1acd7a8775178e9f1c7ae314f9'
    const password = 'yM5vmaB7UT0AynMCepfqJ4T19/I='
    const date = 'Fri, 04 Dec 2026 20:26:56 +0000'
    const body = compileTemplate(urls)(
      JSON.stringify('AC1'),
      JSON.stringify(date),
      60,
      username,
      password,
    )
    expect(body).toBe(
      JSON.stringify({
        account_sid: 'AC1',
        date_created: date,
        date_updated: date,
        ice_servers: urls.map((url) =>
          url.startsWith('turn')
            ? { url, urls: url, username, credential: password }
            : { url, urls: url },
        ),
        password,
        ttl: '60',
        username,
      }),
    )
  })
})

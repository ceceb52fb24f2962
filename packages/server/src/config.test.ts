import { describe, expect, it } from 'vitest'
import { DEFAULT_ICE_URLS, hashToken, isUnconfigured, parseConfig } from './config.ts'
import { ConfigError } from './errors.ts'
import { ENV, SECRETS, SID, TOKEN, testConfig } from '../test/fixtures.ts'

function configError(env: Record<string, string>, file?: object) {
  try {
    parseConfig({ ...ENV, ...env }, file as never)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    for (const secret of [...SECRETS, 'topsecret'])
      expect((error as Error).message).not.toContain(secret)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig', () => {
  it('reads every variable', () => {
    const config = testConfig({ NTS_HOST: '::1', NTS_PORT: '9000', NTS_MAX_TTL: '3600' })
    expect(config.host).toBe('::1')
    expect(config.port).toBe(9000)
    expect(config.maxTtl).toBe(3600)
    expect(config.accounts.get(SID)).toEqual(hashToken(TOKEN))
    expect(config.secrets).toEqual(['turn-secret-new', 'turn-secret-old'])
    expect(config.regions.get('global')).toHaveLength(3)
  })

  it('reads the browser endpoint settings', () => {
    const config = testConfig({
      NTS_RATE_LIMIT: '100/10min',
      NTS_ALLOWED_ORIGINS: 'https://a.example.com, http://localhost:5173',
    })
    expect(config.rateLimit).toEqual({ points: 100, duration: 600 })
    expect(config.allowedOrigins).toEqual(['https://a.example.com', 'http://localhost:5173'])
    expect(testConfig({ NTS_RATE_LIMIT: '5/s' }).rateLimit).toEqual({ points: 5, duration: 1 })
  })

  it('accepts an auth token given as its SHA-256', () => {
    const hex = hashToken(TOKEN).toString('hex')
    const config = parseConfig({ NTS_ACCOUNTS: `${SID}:sha256:${hex}`, NTS_TURN_SECRETS: 's' })
    expect(config.accounts.get(SID)).toEqual(hashToken(TOKEN))
    expect(configError({ NTS_ACCOUNTS: `${SID}:sha256:abc` }).variable).toBe('NTS_ACCOUNTS')
  })

  it('has sensible defaults', () => {
    const config = parseConfig({ NTS_ACCOUNTS: `${SID}:${TOKEN}`, NTS_TURN_SECRETS: 's' })
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      maxTtl: 86400,
      allowedOrigins: [],
      rateLimit: { points: 30, duration: 60 },
    })
    expect(config.regions.get('global')).toEqual(DEFAULT_ICE_URLS)
  })

  it.each([
    [{ NTS_PORT: 'eighty' }, 'NTS_PORT'],
    [{ NTS_PORT: '70000' }, 'NTS_PORT'],
    [{ NTS_MAX_TTL: '0' }, 'NTS_MAX_TTL'],
    [{ NTS_MAX_TTL: '86401' }, 'NTS_MAX_TTL'],
    [{ NTS_MAX_TTL: '1.5' }, 'NTS_MAX_TTL'],
    [{ NTS_ACCOUNTS: '' }, 'NTS_ACCOUNTS'],
    [{ NTS_ACCOUNTS: 'ACshort:topsecret' }, 'NTS_ACCOUNTS'],
    [{ NTS_ACCOUNTS: `${SID}` }, 'NTS_ACCOUNTS'],
    [{ NTS_ACCOUNTS: `${SID}:topsecret,${SID}:topsecret` }, 'NTS_ACCOUNTS'],
    [{ NTS_ACCOUNTS: `XX${SID.slice(2)}:topsecret` }, 'NTS_ACCOUNTS'],
    [{ NTS_TURN_SECRETS: ' , ' }, 'NTS_TURN_SECRETS'],
    [{ NTS_TURN_SECRETS: '' }, 'NTS_TURN_SECRETS'],
    [{ NTS_ICE_URLS: 'http://example.com' }, 'NTS_ICE_URLS'],
    [{ NTS_ICE_URLS: 'turn:' }, 'NTS_ICE_URLS'],
    [{ NTS_ICE_URLS: 'turn:host:3478?transport=sctp' }, 'NTS_ICE_URLS'],
    [{ NTS_RATE_LIMIT: 'lots' }, 'NTS_RATE_LIMIT'],
    [{ NTS_RATE_LIMIT: '0/min' }, 'NTS_RATE_LIMIT'],
    [{ NTS_RATE_LIMIT: '30/fortnight' }, 'NTS_RATE_LIMIT'],
    [{ NTS_ALLOWED_ORIGINS: 'app.example.com' }, 'NTS_ALLOWED_ORIGINS'],
    [{ NTS_ALLOWED_ORIGINS: 'https://app.example.com/path' }, 'NTS_ALLOWED_ORIGINS'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(configError(env).variable).toBe(variable)
  })

  it('reads regions from the config file, NTS_ICE_URLS still being global', () => {
    const config = testConfig(
      {},
      {
        regions: {
          global: ['stun:ignored.example.com'],
          frankfurt: ['turn:frankfurt.turn.example.com:3478'],
        },
      },
    )
    expect([...config.regions.keys()]).toEqual(['global', 'frankfurt'])
    expect(config.regions.get('global')?.[0]).toBe('stun:global.stun.example.com:3478')
  })

  it('takes global from the file when NTS_ICE_URLS is unset', () => {
    const config = testConfig(
      { NTS_ICE_URLS: '' },
      { regions: { global: ['stun:a.example.com:3478'] } },
    )
    expect(config.regions.get('global')).toEqual(['stun:a.example.com:3478'])
  })

  it.each([
    [{ regions: { Bad_Name: ['stun:a'] } }, '--config regions.Bad_Name'],
    [{ regions: { eu: [] } }, '--config regions.eu'],
    [{ regions: { eu: 'stun:a' } }, '--config regions.eu'],
    [{ regions: { eu: [42] } }, '--config regions.eu'],
    [{ regions: ['stun:a'] }, '--config regions'],
    [{ region: {} }, '--config'],
  ])('refuses the file %o naming %s', (file, variable) => {
    expect(configError({}, file).variable).toBe(variable)
  })

  it('knows when nothing is configured', () => {
    expect(isUnconfigured({})).toBe(true)
    expect(isUnconfigured({ NTS_PORT: '1' })).toBe(true)
    expect(isUnconfigured({ NTS_TURN_SECRETS: 'x' })).toBe(false)
  })
})

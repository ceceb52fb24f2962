import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../../../tools/redis.ts'
import { runCli, type CliProcess } from './cli.ts'
import { ENV } from './fixtures.ts'

// Two replicas behind one address must enforce one browser-endpoint limit together.
describe('rate limit shared through Redis', () => {
  let redis: RedisServer
  const running: CliProcess[] = []
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    for (const cli of running) cli.child.kill('SIGTERM')
    await Promise.all(running.map((cli) => cli.exited))
    await redis.stop()
  })

  async function replicas(env: Record<string, string>) {
    const pair = [runCli({ ...ENV, ...env }), runCli({ ...ENV, ...env })]
    running.push(...pair)
    return Promise.all(pair.map((cli) => cli.ready))
  }
  const ask = (url: string) => fetch(`${url}/v1/ice-servers`, { method: 'POST' })
  const statuses = async (urls: string[], each: number) =>
    (await Promise.all(urls.flatMap((url) => Array.from({ length: each }, () => ask(url))))).map(
      (r) => r.status,
    )

  it('lets 5 of 6 requests through two replicas sharing 5/min', async () => {
    const urls = await replicas({ NTS_REDIS_URL: redis.url, NTS_RATE_LIMIT: '5/min' })
    const got = await statuses(urls, 3)
    expect(got.filter((status) => status === 201)).toHaveLength(5)
    expect(got.filter((status) => status === 429)).toHaveLength(1)
  })

  it('control: without Redis each replica counts alone and lets all 6 through', async () => {
    const urls = await replicas({ NTS_RATE_LIMIT: '5/min' })
    expect(await statuses(urls, 3)).toEqual(Array(6).fill(201))
  })

  it('fails closed with 503 while Redis is down, and recovers when it is back', async () => {
    const [url] = await replicas({ NTS_REDIS_URL: redis.url, NTS_RATE_LIMIT: '1000/min' })
    const cli = running.at(-2)!
    expect((await ask(url!)).status).toBe(201)
    await redis.stop()
    const down = await ask(url!)
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('5')
    expect(((await down.json()) as { message: string }).message).toContain(
      'Rate limit store unavailable',
    )
    await expect.poll(() => cli.stderr()).toContain('rate limit store unreachable')
    expect(cli.stderr()).not.toContain(redis.url)
    await redis.start()
    await expect.poll(async () => (await ask(url!)).status, { timeout: 10_000 }).toBe(201)
  })
})

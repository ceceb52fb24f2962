import { type Browser, type Page, expect } from '@playwright/test'

export const demoUrl = () => process.env.DEMO_URL!
export const coturnPorts = () => process.env.COTURN_PORTS!.split(',').map(Number)

export interface Pair {
  state: string
  local: { candidateType: string; url?: string; port: number; address: string }
  remote: { candidateType: string }
}

/** The selected candidate pair, as the browser reports it through getStats(). */
export function selectedPair(page: Page): Promise<Pair | null> {
  return page.evaluate(async () => {
    const pc = window.__demo?.pc()
    if (!pc) return null
    const report = await pc.getStats()
    const all = [...report.values()]
    const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId)
    const pair = transport && report.get(transport.selectedCandidatePairId)
    if (!pair) return null
    return {
      state: pair.state,
      local: report.get(pair.localCandidateId),
      remote: report.get(pair.remoteCandidateId),
    }
  })
}

/** Decoded frames of the remote video, from getStats(). */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const report = await window.__demo?.pc()?.getStats()
    const video = [...(report?.values() ?? [])].find(
      (s) => s.type === 'inbound-rtp' && s.kind === 'video',
    )
    return video?.framesDecoded ?? 0
  })
}

/** Local candidates the page gathered, with how many ICE restarts preceded each. */
export function candidates(page: Page) {
  return page.evaluate(() => window.__demo?.candidates.map((c) => ({ ...c })) ?? [])
}

/** Waits until the page reports a succeeded relay↔relay pair. */
export async function expectRelay(page: Page, timeout = 20_000) {
  await expect
    .poll(
      async () => {
        const pair = await selectedPair(page)
        return pair?.state === 'succeeded'
          ? `${pair.local.candidateType}/${pair.remote.candidateType}`
          : pair?.state
      },
      { timeout },
    )
    .toBe('relay/relay')
}

/** Two users: two browser contexts, each with its own page in one room. */
export async function twoUsers(browser: Browser, query = '') {
  const room = `e2e-${Math.random().toString(36).slice(2, 10)}`
  const url = `${demoUrl()}/?room=${room}${query ? `&${query}` : ''}`
  const contexts = await Promise.all([browser.newContext(), browser.newContext()])
  const [alice, bob] = await Promise.all(contexts.map((context) => context.newPage()))
  const errors: string[] = []
  for (const page of [alice!, bob!]) page.on('pageerror', (error) => errors.push(error.message))
  return {
    url,
    alice: alice!,
    bob: bob!,
    errors,
    async close() {
      await Promise.all(contexts.map((context) => context.close()))
    },
  }
}

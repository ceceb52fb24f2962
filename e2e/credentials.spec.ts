import { type Browser, type Page, expect, test } from '@playwright/test'
import { candidates, expectRelay, selectedPair, twoUsers } from './call.ts'

const TTL = 10

/** Sets a short TTL with the control, then leaves the page open for three TTLs. */
async function openForThreeTtls(page: Page, url: string, fresh: boolean) {
  await page.goto(url)
  if (!fresh) await page.getByRole('checkbox', { name: 'Keep credentials fresh' }).uncheck()
  await page.getByRole('spinbutton', { name: 'TTL (seconds)' }).fill(String(TTL))
  await expect(page.getByRole('region', { name: 'Live call panel' })).toContainText(
    /valid [1-9] s more/,
  )
  await page.waitForTimeout(3 * TTL * 1000)
}

/** Credentials left, in seconds, as the panel shows them (negative once expired). */
async function secondsLeft(page: Page) {
  const text = await page.getByRole('region', { name: 'Live call panel' }).textContent()
  const match = /valid (\d+) s more|expired (\d+) s ago/.exec(text ?? '')
  return match?.[1] ? Number(match[1]) : -Number(match?.[2] ?? 0)
}

test.describe('credentials stay fresh', () => {
  test('a page left open for three TTLs still connects relay-only', async ({ browser }) => {
    const users = await twoUsers(browser, 'ttl=3600')
    const { alice, bob } = users
    await openForThreeTtls(alice, users.url, true)
    await expect(alice.getByRole('region', { name: 'Live call panel' })).toContainText(
      /refreshed ([3-9]|\d\d) times/,
    )
    // join while the current credentials have most of their life left: a 10 s TTL leaves no
    // room for the seconds a call set-up takes
    await expect.poll(() => secondsLeft(alice)).toBeGreaterThan(6)
    await bob.goto(users.url)
    await expectRelay(alice)
    await expectRelay(bob)
    await users.close()
  })

  test('control: with refresh disabled the same page cannot relay', async ({ browser }) => {
    const users = await twoUsers(browser, 'ttl=3600')
    const { alice, bob } = users
    await openForThreeTtls(alice, users.url, false)
    expect(await secondsLeft(alice)).toBeLessThan(0)
    await bob.goto(users.url)
    await expect(alice.getByRole('alert')).toContainText('The TURN server gave no relay')
    expect((await candidates(alice)).filter((c) => c.type === 'relay')).toEqual([])
    expect((await selectedPair(alice))?.state).not.toBe('succeeded')
    await users.close()
  })
})

test.describe('a call outlives its credentials', () => {
  async function callPastTtl(browser: Browser, apply: boolean) {
    const users = await twoUsers(browser, `ttl=${TTL}${apply ? '' : '&apply=off'}`)
    const { alice, bob } = users
    await alice.goto(users.url)
    await expect.poll(() => secondsLeft(alice)).toBeGreaterThan(6)
    await bob.goto(users.url)
    await expectRelay(alice)
    await expectRelay(bob)
    const before = (await selectedPair(alice))!.local
    // the credentials the call started with expire
    await alice.waitForTimeout((TTL + 2) * 1000)
    await alice.getByRole('button', { name: 'Restart ICE' }).click()
    return { users, before }
  }
  test('an ICE restart gathers relays with the fresh credentials applyIceServers put in', async ({
    browser,
  }) => {
    const { users, before } = await callPastTtl(browser, true)
    const { alice, bob } = users
    await expect
      .poll(
        async () =>
          (await candidates(alice)).filter((c) => c.restart === 1 && c.type === 'relay').length,
      )
      .toBeGreaterThan(0)
    await expect.poll(async () => (await selectedPair(alice))?.local.port).not.toBe(before.port)
    await expectRelay(alice)
    await expectRelay(bob)
    await users.close()
  })

  test('control: without applyIceServers the restart cannot gather relay candidates', async ({
    browser,
  }) => {
    const { users } = await callPastTtl(browser, false)
    const { alice } = users
    await alice.waitForTimeout(6000)
    expect((await candidates(alice)).filter((c) => c.restart === 1)).toEqual([])
    await users.close()
  })
})

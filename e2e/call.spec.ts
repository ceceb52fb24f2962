import { expect, test } from '@playwright/test'
import {
  candidates,
  coturnPorts,
  expectRelay,
  framesDecoded,
  selectedPair,
  twoUsers,
} from './call.ts'

test('a relay-only call connects: relay pairs, chat both ways, decoded video', async ({
  browser,
}, testInfo) => {
  const users = await twoUsers(browser)
  const { alice, bob } = users
  await alice.goto(users.url)
  await bob.goto(users.url)
  await expectRelay(alice)
  await expectRelay(bob)
  await expect(alice.getByRole('status')).toHaveText('Connected.')
  await expect(bob.getByRole('status')).toHaveText('Connected.')
  // the default region is the first TURN listener
  expect((await selectedPair(alice))!.local.url).toContain(`:${coturnPorts()[0]}?`)

  await alice.getByRole('textbox', { name: 'Message' }).fill('hello from alice')
  await alice.getByRole('button', { name: 'Send' }).click()
  await expect(bob.getByRole('list', { name: 'Messages' })).toContainText('Peer: hello from alice')
  await bob.getByRole('textbox', { name: 'Message' }).fill('hi alice')
  await bob.getByRole('button', { name: 'Send' }).click()
  await expect(alice.getByRole('list', { name: 'Messages' })).toContainText('Peer: hi alice')

  await expect.poll(() => framesDecoded(alice)).toBeGreaterThan(10)
  await expect.poll(() => framesDecoded(bob)).toBeGreaterThan(10)
  await expect(alice.getByRole('region', { name: 'Live call panel' })).toContainText(
    'relay ↔ relay',
  )

  for (const [name, page] of Object.entries({ alice, bob })) {
    const body = await page.screenshot({
      path: testInfo.outputPath(`${name}-in-call.png`),
      fullPage: true,
    })
    await testInfo.attach(`${name}-in-call`, { body, contentType: 'image/png' })
  }
  expect(users.errors).toEqual([])
  await users.close()
})

test('region pinning: pinned to the second region, the relay comes from its TURN listener', async ({
  browser,
}) => {
  const users = await twoUsers(browser)
  const { alice, bob } = users
  const eu = `:${coturnPorts()[1]}?`
  await alice.goto(users.url)
  await alice.getByRole('combobox', { name: 'Region' }).selectOption('eu')
  await expect(alice.getByRole('region', { name: 'Live call panel' })).toContainText(
    `turn:127.0.0.1${eu}`,
  )
  await bob.goto(`${users.url}&region=eu`)
  await expectRelay(alice)
  await expectRelay(bob)
  expect((await selectedPair(alice))!.local.url).toContain(eu)
  expect((await selectedPair(bob))!.local.url).toContain(eu)
  expect((await candidates(alice)).every((c) => c.url?.includes(eu))).toBe(true)
  await users.close()
})

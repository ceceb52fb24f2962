import { readFileSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { freePort } from '../tools/ports.ts'
import { runCli } from '../packages/server/test/cli.ts'
import { coturnPorts, demoUrl, expectRelay, selectedPair, twoUsers } from './call.ts'

/** The standalone token service as its own process, allowing the demo's origin. */
function tokenService(port: number) {
  const dev = JSON.parse(readFileSync(process.env.NTS_DEV_FILE!, 'utf8'))
  return runCli({
    NTS_PORT: String(port),
    NTS_ACCOUNTS: `${dev.accountSid}:${dev.authToken}`,
    NTS_TURN_SECRETS: dev.turnSecret,
    NTS_ICE_URLS: `turn:127.0.0.1:${coturnPorts()[0]}?transport=udp`,
    NTS_ALLOWED_ORIGINS: demoUrl(),
    NTS_LOG: 'off',
  })
}

test('token endpoint down: the page says so, then recovers by itself when it is back', async ({
  browser,
}) => {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}/v1/ice-servers`
  const users = await twoUsers(browser)
  const { alice, bob } = users
  await alice.goto(`${users.url}&endpoint=${encodeURIComponent(endpoint)}`)
  await expect(alice.getByRole('alert')).toContainText(
    `Cannot get TURN credentials from ${endpoint}`,
  )
  await bob.goto(users.url)
  await alice.waitForTimeout(2000)
  expect(await selectedPair(bob)).toBeNull() // no call without alice's credentials

  const service = tokenService(port)
  try {
    await service.ready
    // no click: the hook keeps retrying and reaches it
    await expect(alice.getByRole('alert')).toHaveCount(0, { timeout: 30_000 })
    await expectRelay(alice)
    await expectRelay(bob)
  } finally {
    service.child.kill('SIGTERM')
    await service.exited
  }
  await users.close()
})

test('the peer closes its tab: the other side shows it', async ({ browser }) => {
  const users = await twoUsers(browser)
  const { alice, bob } = users
  await alice.goto(users.url)
  await bob.goto(users.url)
  await expectRelay(alice)
  await bob.close()
  await expect(alice.getByRole('status')).toHaveText(
    'Your peer left the room. Share the link to call again.',
  )
  // the message renders first; the connection closes when React runs the call's cleanup
  await expect.poll(() => alice.evaluate(() => window.__demo?.pc()?.connectionState)).toBe('closed')
  await users.close()
})

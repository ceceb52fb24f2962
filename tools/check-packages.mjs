#!/usr/bin/env node
// Builds each publishable package, packs it the way `pnpm publish` would (publishConfig
// applied, workspace:* replaced) and checks the tarball with publint and arethetypeswrong.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const bin = (name) => join(root, 'node_modules/.bin', name)
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: 'inherit' })

for (const name of ['server', 'client', 'react']) {
  const dir = join(root, 'packages', name)
  const out = mkdtempSync(join(tmpdir(), `nts-pack-${name}-`))
  try {
    console.log(`\n@nts/${name}: build, pack, publint, attw`)
    run(bin('tsdown'), ['--log-level', 'warn'], dir)
    run('pnpm', ['pack', '--pack-destination', out], dir)
    const tarball = join(
      out,
      readdirSync(out).find((file) => file.endsWith('.tgz')),
    )
    run('tar', ['-xzf', tarball, '-C', out], dir)
    run(bin('publint'), [join(out, 'package'), '--strict', '--pack', 'false'], dir)
    run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped'], dir)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

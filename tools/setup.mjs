#!/usr/bin/env node
// One-step set-up for a fresh Debian machine that has only Node 20 and npm:
// installs the pinned pnpm, the workspace's dependencies and the Debian packages
// the tests and the demo run for real. Idempotent: a second run only checks.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname
const pnpmVersion = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).packageManager.split(
  '@',
)[1]
const isRoot = process.getuid?.() === 0

// binary -> Debian package
const debian = {
  turnserver: 'coturn',
  turnutils_uclient: 'coturn',
  chromium: 'chromium',
  'redis-server': 'redis-server',
}

function run(command, args) {
  console.log(`setup: ${command} ${args.join(' ')}`)
  execFileSync(command, args, { stdio: 'inherit', cwd: root })
}

function fail(lines) {
  console.error(['setup: cannot continue.', ...lines].join('\n  '))
  process.exit(1)
}

function ensurePnpm() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })
  if (found.stdout?.trim() === pnpmVersion) return
  if (!isRoot && found.error === undefined) {
    console.warn(`setup: pnpm ${found.stdout.trim()} found, ${pnpmVersion} expected; continuing`)
    return
  }
  if (!isRoot) fail([`pnpm is missing. Install it with:`, `npm install -g pnpm@${pnpmVersion}`])
  run('npm', ['install', '-g', `pnpm@${pnpmVersion}`])
}

function ensureDebianPackages() {
  const missing = [
    ...new Set(
      Object.entries(debian)
        .filter(([bin]) => !which(bin))
        .map(([, pkg]) => pkg),
    ),
  ]
  if (missing.length === 0) return
  if (!isRoot)
    fail([
      'missing Debian packages. Install them with:',
      `sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    ])
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  console.log(`setup: apt-get install ${missing.join(' ')}`)
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  })
  // Debian starts services on install; the tests and the demo start their own on free ports.
  spawnSync('systemctl', ['disable', '--now', 'coturn'], { stdio: 'ignore' })
  spawnSync('pkill', ['-x', 'turnserver'], { stdio: 'ignore' })
}

function which(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
}

ensurePnpm()
ensureDebianPackages()
run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'])

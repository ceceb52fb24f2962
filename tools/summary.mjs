#!/usr/bin/env node
// Prints one closing line for the whole `npm test` run, from the runners' JSON reports.
import { existsSync, readFileSync } from 'node:fs'

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined)
const vitest = read('.test-reports/vitest.json')
const playwright = read('.test-reports/playwright.json')
const passed = (vitest?.numPassedTests ?? 0) + (playwright?.stats.expected ?? 0)
const failed =
  (vitest?.numFailedTests ?? 0) +
  (playwright?.stats.unexpected ?? 0) +
  (playwright?.stats.flaky ?? 0)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)

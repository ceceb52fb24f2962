import { Registry, collectDefaultMetrics } from 'prom-client'
import type { PlainResponse } from './service.ts'

const REASONS: Record<number, string> = {
  400: 'invalid',
  401: 'auth',
  403: 'forbidden',
  404: 'not_found',
  405: 'method',
  413: 'too_large',
  415: 'media_type',
  429: 'rate_limited',
  503: 'unavailable',
}
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

type Labels = Record<string, string>
interface Series {
  labels: Labels
  value: number
}

// prom-client's own counters hash their labels on every increment, which costs a token
// server more than the token: these count in plain maps and hand prom-client their values
// only when /metrics is read (prom-client's custom-metric interface: `name` and `get()`).
function counter(name: string, help: string) {
  const series = new Map<string, Series>()
  return {
    name,
    inc(key: string, labels: () => Labels) {
      const found = series.get(key)
      if (found) found.value++
      else series.set(key, { labels: labels(), value: 1 })
    },
    get: () => ({ name, help, type: 'counter', aggregator: 'sum', values: [...series.values()] }),
  }
}

function histogram(name: string, help: string) {
  const routes = new Map<string, { counts: number[]; sum: number; count: number }>()
  return {
    name,
    observe(route: string, seconds: number) {
      let one = routes.get(route)
      if (!one) routes.set(route, (one = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }))
      const bucket = BUCKETS.findIndex((le) => seconds <= le)
      if (bucket !== -1) one.counts[bucket]!++
      one.sum += seconds
      one.count++
    },
    get: () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: [...routes].flatMap(([route, { counts, sum, count }]) => {
        let cumulative = 0
        return [
          ...BUCKETS.map((le, i) => ({
            metricName: `${name}_bucket`,
            labels: { le, route },
            value: (cumulative += counts[i]!),
          })),
          { metricName: `${name}_bucket`, labels: { le: '+Inf', route }, value: count },
          { metricName: `${name}_sum`, labels: { route }, value: sum },
          { metricName: `${name}_count`, labels: { route }, value: count },
        ]
      }),
    }),
  }
}

/**
 * Prometheus metrics of one server process: tokens issued per account and region, refusals
 * by reason, request latency by route, and Node's process metrics (prom-client's registry).
 *
 * @example
 * ```ts
 * const metrics = createMetrics()
 * metrics.observe(response, 'tokens', 0.0012)
 * await metrics.text()
 * ```
 */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const tokens = counter(
    'nts_tokens_issued_total',
    'Tokens minted, by account (empty for the browser endpoint) and region',
  )
  const refusals = counter('nts_refusals_total', 'Requests answered with an error, by reason')
  const latency = histogram(
    'nts_request_duration_seconds',
    'Time from the request to its answer, by route',
  )
  for (const metric of [tokens, refusals, latency]) registry.registerMetric(metric as never)

  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    /** Counts one answer; `route` is `tokens`, `ice-servers` or `other`. */
    observe(response: PlainResponse, route: string, seconds: number) {
      latency.observe(route, seconds)
      const { status, log } = response
      if (status === 201) {
        const account = log?.account ?? ''
        const region = log?.region ?? ''
        tokens.inc(`${account}|${region}`, () => ({ account, region }))
      } else if (status >= 400) {
        const reason = REASONS[status] ?? 'other'
        refusals.inc(reason, () => ({ reason }))
      }
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>

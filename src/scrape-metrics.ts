import type { Registry } from 'prom-client';

/** One sample of a metric: its labels, its value and, for a histogram's series, its own name. */
export interface ScrapeValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * Registers a metric whose samples are computed at scrape time from plain numbers the hot path
 * keeps. prom-client's own Counter/Histogram hash the label object on every `inc`/`observe`
 * (~11 µs per request for the controller's five traffic metrics, ~7 µs per review for the
 * webhook's, measured): at thousands of requests a second that is a good part of a core.
 * Registered by the duck type prom-client's Registry reads (name, help, type, get()).
 */
export function registerScrapeMetric(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => ScrapeValue[]): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** Observations per bucket (not cumulative; the last is +Inf), their sum and count. */
export interface Distribution {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** An empty distribution over `buckets` (upper bounds, ascending). */
export function distribution(buckets: readonly number[]): Distribution {
  return { counts: new Float64Array(buckets.length + 1), sum: 0, count: 0 };
}

/** Counts `value` in the first bucket whose upper bound holds it (`le`, as Prometheus). */
export function observe(d: Distribution, buckets: readonly number[], value: number): void {
  let i = 0;
  while (i < buckets.length && value > buckets[i]!) i++;
  d.counts[i]!++;
  d.sum += value;
  d.count++;
}

/** A histogram's samples (`_bucket` cumulative, `_sum`, `_count`) for each labelled distribution observed at least once. */
export function histogramValues(
  name: string,
  buckets: readonly number[],
  series: Iterable<{ readonly labels: Readonly<Record<string, string>>; readonly distribution: Distribution }>,
): ScrapeValue[] {
  const out: ScrapeValue[] = [];
  for (const { labels, distribution: d } of series) {
    if (d.count === 0) continue;
    let cumulative = 0;
    for (let i = 0; i <= buckets.length; i++) {
      cumulative += d.counts[i]!;
      out.push({ labels: { ...labels, le: i < buckets.length ? buckets[i]! : '+Inf' }, value: cumulative, metricName: `${name}_bucket` });
    }
    out.push({ labels, value: d.sum, metricName: `${name}_sum` }, { labels, value: d.count, metricName: `${name}_count` });
  }
  return out;
}

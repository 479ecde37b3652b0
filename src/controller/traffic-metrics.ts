import type { Registry } from 'prom-client';
import { distribution, histogramValues, observe, registerScrapeMetric as register, type Distribution } from '../scrape-metrics.js';
import type { TrafficRecord } from './traffic-line.js';

type Label = 'namespace' | 'ingress' | 'service' | 'path' | 'status';
type Labels = Readonly<Record<Label, string>>;

/** Request latency buckets (seconds), as ingress-nginx's defaults (prometheus.DefBuckets). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label sets kept at most; more are counted as `overflow` and dropped (a hostile sender cannot grow memory). */
export const DEFAULT_MAX_SERIES = 10_000;

interface Series {
  readonly labels: Labels;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  readonly duration: Distribution;
  readonly upstream: Distribution;
}

/**
 * Per-Ingress traffic metrics, from the traffic log (traffic-line.ts). Label sets are bounded
 * twice: values are Ingress names and paths (never request URIs), and at most `maxSeries` sets
 * exist; `retain` drops the series of Ingresses no longer served.
 */
export class TrafficMetrics {
  private readonly series = new Map<string, Series>();
  private readonly lines = { accepted: 0, malformed: 0, overflow: 0 };

  constructor(
    registry: Registry,
    private readonly maxSeries = DEFAULT_MAX_SERIES,
  ) {
    const all = () => this.series.values();
    const each = (pick: (s: Series) => number) => () => [...all()].map((s) => ({ labels: s.labels, value: pick(s) }));
    register(registry, 'gatehouse_requests_total', 'Requests nginx answered, by Ingress, Service, path and status class', 'counter', each((s) => s.requests));
    register(registry, 'gatehouse_request_duration_seconds', 'Time nginx spent on a request (first byte read to last byte sent)', 'histogram', () =>
      histogramValues('gatehouse_request_duration_seconds', BUCKETS, [...all()].map((s) => ({ labels: s.labels, distribution: s.duration }))),
    );
    register(registry, 'gatehouse_upstream_response_seconds', 'Time the backends took to answer (sum over retries)', 'histogram', () =>
      histogramValues('gatehouse_upstream_response_seconds', BUCKETS, [...all()].map((s) => ({ labels: s.labels, distribution: s.upstream }))),
    );
    register(registry, 'gatehouse_request_bytes_total', 'Bytes received from clients (request line, headers and body)', 'counter', each((s) => s.bytesIn));
    register(registry, 'gatehouse_response_bytes_total', 'Bytes sent to clients (headers and body)', 'counter', each((s) => s.bytesOut));
    register(registry, 'gatehouse_traffic_log_lines_total', 'Traffic log lines the controller received, by result (accepted, malformed, overflow: past the series limit)', 'counter', () =>
      Object.entries(this.lines).map(([result, value]) => ({ labels: { result }, value })),
    );
  }

  /** Counts one request; `undefined` (a line parseTrafficLine refused) counts as malformed. */
  record(r: TrafficRecord | undefined): void {
    if (r === undefined) {
      this.lines.malformed++;
      return;
    }
    const key = `${r.namespace}\n${r.ingress}\n${r.service}\n${r.path}\n${r.status}`;
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) {
        this.lines.overflow++;
        return;
      }
      const labels = { namespace: r.namespace, ingress: r.ingress, service: r.service, path: r.path, status: r.status };
      s = { labels, requests: 0, bytesIn: 0, bytesOut: 0, duration: distribution(BUCKETS), upstream: distribution(BUCKETS) };
      this.series.set(key, s);
    }
    this.lines.accepted++;
    s.requests++;
    s.bytesIn += r.bytesIn;
    s.bytesOut += r.bytesOut;
    observe(s.duration, BUCKETS, r.requestSeconds);
    if (r.upstreamSeconds !== undefined) observe(s.upstream, BUCKETS, r.upstreamSeconds);
  }

  /** Label sets held now. */
  get size(): number {
    return this.series.size;
  }

  /** Forgets the series of Ingresses `keep` rejects (`namespace/name`), e.g. deleted ones; '' (no Ingress) stays. */
  retain(keep: (ingress: string) => boolean): void {
    for (const [key, s] of this.series) {
      if (s.labels.ingress !== '' && !keep(`${s.labels.namespace}/${s.labels.ingress}`)) this.series.delete(key);
    }
  }
}

import { Counter, Histogram, type Registry } from 'prom-client';
import type { TrafficRecord } from './traffic-line.js';

const LABELS = ['namespace', 'ingress', 'service', 'path', 'status'] as const;
type Label = (typeof LABELS)[number];
type Labels = Record<Label, string>;

/** Request latency buckets (seconds), as ingress-nginx's defaults (prometheus.DefBuckets). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label sets kept at most; more are counted as `overflow` and dropped (a hostile sender cannot grow memory). */
export const DEFAULT_MAX_SERIES = 10_000;

/**
 * Per-Ingress traffic metrics, from the traffic log (traffic-line.ts). Label sets are bounded
 * twice: values are Ingress names and paths (never request URIs), and at most `maxSeries` sets
 * exist; `retain` drops the series of Ingresses no longer served.
 */
export class TrafficMetrics {
  private readonly requests: Counter<Label>;
  private readonly duration: Histogram<Label>;
  private readonly upstream: Histogram<Label>;
  private readonly bytesIn: Counter<Label>;
  private readonly bytesOut: Counter<Label>;
  /** Lines received, by result: `accepted`, `malformed`, `overflow`. */
  readonly lines: Counter<'result'>;
  private readonly series = new Map<string, Labels>();

  constructor(
    registry: Registry,
    private readonly maxSeries = DEFAULT_MAX_SERIES,
  ) {
    const common = { labelNames: LABELS, registers: [registry] };
    this.requests = new Counter({ name: 'gatehouse_requests_total', help: 'Requests nginx answered, by Ingress, Service, path and status class', ...common });
    this.duration = new Histogram({ name: 'gatehouse_request_duration_seconds', help: 'Time nginx spent on a request (first byte read to last byte sent)', buckets: BUCKETS, ...common });
    this.upstream = new Histogram({ name: 'gatehouse_upstream_response_seconds', help: 'Time the backends took to answer (sum over retries)', buckets: BUCKETS, ...common });
    this.bytesIn = new Counter({ name: 'gatehouse_request_bytes_total', help: 'Bytes received from clients (request line, headers and body)', ...common });
    this.bytesOut = new Counter({ name: 'gatehouse_response_bytes_total', help: 'Bytes sent to clients (headers and body)', ...common });
    this.lines = new Counter({
      name: 'gatehouse_traffic_log_lines_total',
      help: 'Traffic log lines the controller received, by result (accepted, malformed, overflow: past the series limit)',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    for (const result of ['accepted', 'malformed', 'overflow']) this.lines.inc({ result }, 0);
  }

  /** Counts one request; `undefined` (a line parseTrafficLine refused) counts as malformed. */
  record(r: TrafficRecord | undefined): void {
    if (r === undefined) {
      this.lines.inc({ result: 'malformed' });
      return;
    }
    const labels: Labels = { namespace: r.namespace, ingress: r.ingress, service: r.service, path: r.path, status: r.status };
    const key = `${r.namespace}\n${r.ingress}\n${r.service}\n${r.path}\n${r.status}`;
    if (!this.series.has(key)) {
      if (this.series.size >= this.maxSeries) {
        this.lines.inc({ result: 'overflow' });
        return;
      }
      this.series.set(key, labels);
    }
    this.lines.inc({ result: 'accepted' });
    this.requests.inc(labels);
    this.duration.observe(labels, r.requestSeconds);
    if (r.upstreamSeconds !== undefined) this.upstream.observe(labels, r.upstreamSeconds);
    this.bytesIn.inc(labels, r.bytesIn);
    this.bytesOut.inc(labels, r.bytesOut);
  }

  /** Label sets held now. */
  get size(): number {
    return this.series.size;
  }

  /** Forgets the series of Ingresses `keep` rejects (`namespace/name`), e.g. deleted ones; '' (no Ingress) stays. */
  retain(keep: (ingress: string) => boolean): void {
    for (const [key, labels] of this.series) {
      if (labels.ingress === '' || keep(`${labels.namespace}/${labels.ingress}`)) continue;
      this.series.delete(key);
      for (const m of [this.requests, this.duration, this.upstream, this.bytesIn, this.bytesOut]) m.remove(labels);
    }
  }
}

// nginx's connection counters (stub_status on the internal status server, render.ts), read on each
// scrape. https://nginx.org/en/docs/http/ngx_http_stub_status_module.html
import { Counter, Gauge, type Registry } from 'prom-client';

/** What stub_status reports. */
export interface StubStatus {
  readonly active: number;
  readonly accepted: number;
  readonly handled: number;
  readonly requests: number;
  readonly reading: number;
  readonly writing: number;
  readonly waiting: number;
}

/**
 * Parses stub_status's text:
 * ```
 * Active connections: 2
 * server accepts handled requests
 *  16 16 31
 * Reading: 0 Writing: 1 Waiting: 1
 * ```
 */
export function parseStubStatus(text: string): StubStatus | undefined {
  const m = /^Active connections:\s*(\d+)\s*\nserver accepts handled requests\s*\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\nReading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/.exec(text);
  if (!m) return undefined;
  const [active, accepted, handled, requests, reading, writing, waiting] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return { active, accepted, handled, requests, reading, writing, waiting };
}

/** nginx's counters are in shared memory: they survive reloads and restart at 0 with nginx. */
function deltaCounter(registry: Registry, name: string, help: string, read: () => Promise<StubStatus | undefined>, pick: (s: StubStatus) => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    async collect() {
      const s = await read();
      if (s === undefined) return;
      const now = pick(s);
      this.inc(now >= last ? now - last : now);
      last = now;
    },
  });
}

/** Registers the nginx connection metrics; `fetchStatus` returns stub_status's body (or throws). */
export function registerNginxStatusMetrics(registry: Registry, fetchStatus: () => Promise<string>): void {
  // One request per scrape, shared by all the metrics it feeds.
  let pending: Promise<StubStatus | undefined> | undefined;
  const read = (): Promise<StubStatus | undefined> => {
    pending ??= fetchStatus()
      .then(parseStubStatus, () => undefined)
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  new Gauge({
    name: 'gatehouse_nginx_connections',
    help: 'Client connections nginx holds now, by state (active = reading + writing + waiting)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const s = await read();
      // nginx not answering: no value rather than the last one.
      this.reset();
      if (s === undefined) return;
      for (const state of ['active', 'reading', 'writing', 'waiting'] as const) this.set({ state }, s[state]);
    },
  });
  deltaCounter(registry, 'gatehouse_nginx_connections_accepted_total', 'Client connections nginx accepted', read, (s) => s.accepted);
  deltaCounter(registry, 'gatehouse_nginx_connections_handled_total', 'Client connections nginx handled (less than accepted when it ran out of worker_connections)', read, (s) => s.handled);
  deltaCounter(registry, 'gatehouse_nginx_http_requests_total', 'Requests nginx read from clients', read, (s) => s.requests);
}

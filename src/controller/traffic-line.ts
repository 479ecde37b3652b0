// One traffic-log datagram (nginx/access-log.ts TRAFFIC_FIELDS, sent as syslog) → a typed record.
// Anything on the loopback port can send us bytes: every field is checked, and a line that does not
// fit is refused (undefined), never half-used.

/** One request, as the aggregator counts it. Labels are bounded: names are DNS labels, paths capped. */
export interface TrafficRecord {
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  readonly path: string;
  /** `1xx` … `5xx`. */
  readonly status: string;
  readonly requestSeconds: number;
  /** Sum over the upstreams tried; absent when no upstream answered (a `return`, a 503 without endpoints). */
  readonly upstreamSeconds?: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Longest datagram looked at (nginx's syslog lines are at most ~2 KiB). */
export const MAX_LINE_BYTES = 8192;
/** Longest path label: an Ingress path may be 2048 characters; the label keeps a prefix. */
export const MAX_PATH_LABEL = 256;

const DNS_LABEL_OR_EMPTY = /^(?:[a-z0-9](?:[-a-z0-9]{0,251}[a-z0-9])?)?$/;
const NAME_OR_EMPTY = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)?$/;
/** What escape.ts's `label` context can produce. */
const PATH_LABEL = /^[A-Za-z0-9/._~!*,:@&=+()%-]*$/;
const SECONDS = /^\d{1,9}(?:\.\d{1,6})?$/;
const BYTES = /^\d{1,15}$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * `$upstream_response_time`: `0.004`, `0.002, 0.003` (retries), `0.001 : 0.002` (internal
 * redirects), `-` for an upstream never reached. https://nginx.org/en/docs/http/ngx_http_upstream_module.html#var_upstream_response_time
 */
function upstreamSeconds(text: string): number | undefined {
  if (text.length > 512) return undefined;
  let sum = 0;
  let any = false;
  for (const part of text.split(/[,:]/)) {
    const t = part.trim();
    if (SECONDS.test(t)) {
      sum += Number(t);
      any = true;
    }
  }
  return any ? sum : undefined;
}

/** The record in a datagram `<PRI>TIMESTAMP TAG: {json}`, or undefined for anything else. */
export function parseTrafficLine(datagram: Buffer | string): TrafficRecord | undefined {
  if (datagram.length > MAX_LINE_BYTES) return undefined;
  const text = typeof datagram === 'string' ? datagram : datagram.toString('utf8');
  // The syslog header (RFC 3164, as nginx writes it) holds no brace.
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const f = o as Record<string, unknown>;
  const [ns, ing, svc, path, status, rt, urt, bin, bout] = ['ns', 'ing', 'svc', 'path', 'status', 'rt', 'urt', 'in', 'out'].map((k) => str(f[k]));
  if (ns === undefined || ing === undefined || svc === undefined || path === undefined || status === undefined) return undefined;
  if (!DNS_LABEL_OR_EMPTY.test(ns) || !NAME_OR_EMPTY.test(ing) || !DNS_LABEL_OR_EMPTY.test(svc)) return undefined;
  if (path.length > 4096 || !PATH_LABEL.test(path)) return undefined;
  if (!/^[1-5]\d\d$/.test(status)) return undefined;
  if (rt === undefined || !SECONDS.test(rt) || bin === undefined || !BYTES.test(bin) || bout === undefined || !BYTES.test(bout)) return undefined;
  const upstream = urt === undefined ? undefined : upstreamSeconds(urt);
  return {
    namespace: ns,
    ingress: ing,
    service: svc,
    path: path.length > MAX_PATH_LABEL ? path.slice(0, MAX_PATH_LABEL) : path,
    status: `${status[0]}xx`,
    requestSeconds: Number(rt),
    ...(upstream !== undefined ? { upstreamSeconds: upstream } : {}),
    bytesIn: Number(bin),
    bytesOut: Number(bout),
  };
}

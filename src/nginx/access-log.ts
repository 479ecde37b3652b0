// The request logs nginx writes: the operators' access log (JSON lines by default) and the
// traffic log the controller turns into Prometheus metrics (controller/traffic-*.ts). Labels come
// from variables each Ingress location sets (labelLines), never from parsing request text.
// https://nginx.org/en/docs/http/ngx_http_log_module.html
import { escapeFor, quoted } from './escape.js';
import type { LocationModel } from './model.js';

/** Where the access log goes: nginx's stdout (which the controller passes through), a file, or nowhere. */
export type AccessLogTarget = 'off' | 'stdout' | { readonly path: string };
export type AccessLogFormat = 'json' | 'combined';

/**
 * Per-location variables, named as ingress-nginx names them (its `log-format-upstream` docs list
 * them), so formats written for it keep working. Each is declared by a map with the value "", which
 * locations that are no Ingress's (fallbacks, the default server) keep: a `set` variable read where
 * it was never set would log a warning per request, and a configuration without any Ingress would
 * not know the variable at all.
 */
export const LABEL_VARIABLES = ['namespace', 'ingress_name', 'service_name', 'location_path'] as const;

/**
 * A location-level `access_log off;` would silence the traffic log too, and with it the metrics
 * of that Ingress; a location sets this variable instead (enable-access-log: "false") to leave
 * only the operators' log. ingress-nginx counts such requests in its metrics as well.
 */
export const ACCESS_LOG_OFF_LINE = 'set $gh_access_log_off 1;';

/** `set` lines for a location's labels (values pass escape.ts's `label` context). */
export function labelLines(loc: LocationModel): string[] {
  const [namespace = '', name = ''] = loc.source.split('/');
  const values = [namespace, name, loc.service ?? '', loc.path];
  return LABEL_VARIABLES.map((v, i) => `set $${v} ${quoted(escapeFor('label', values[i]!) ?? '')};`);
}

/**
 * The JSON access log: one object per request, every value a string escaped by nginx
 * (`escape=json`), fields as operators expect them from ingress-nginx's default format.
 */
const JSON_FIELDS: readonly (readonly [string, string])[] = [
  ['time', '$time_iso8601'],
  ['request_id', '$request_id'],
  ['remote_addr', '$remote_addr'],
  ['x_forwarded_for', '$http_x_forwarded_for'],
  ['remote_user', '$remote_user'],
  ['method', '$request_method'],
  ['uri', '$request_uri'],
  ['protocol', '$server_protocol'],
  ['host', '$host'],
  ['status', '$status'],
  ['bytes_sent', '$bytes_sent'],
  ['body_bytes_sent', '$body_bytes_sent'],
  ['request_length', '$request_length'],
  ['request_time', '$request_time'],
  ['upstream_addr', '$upstream_addr'],
  ['upstream_status', '$upstream_status'],
  ['upstream_response_time', '$upstream_response_time'],
  ['upstream_response_length', '$upstream_response_length'],
  ['http_referer', '$http_referer'],
  ['http_user_agent', '$http_user_agent'],
  ['namespace', '$namespace'],
  ['ingress_name', '$ingress_name'],
  ['service_name', '$service_name'],
  ['location_path', '$location_path'],
];

/** Fields of the traffic log (short names: one datagram per request). traffic-line.ts reads them. */
export const TRAFFIC_FIELDS: readonly (readonly [string, string])[] = [
  ['ns', '$namespace'],
  ['ing', '$ingress_name'],
  ['svc', '$service_name'],
  ['path', '$location_path'],
  ['status', '$status'],
  ['rt', '$request_time'],
  ['urt', '$upstream_response_time'],
  ['in', '$request_length'],
  ['out', '$bytes_sent'],
];

function jsonFormat(fields: readonly (readonly [string, string])[]): string {
  return `'{${fields.map(([k, v]) => `"${k}":"${v}"`).join(',')}}'`;
}

export interface RequestLogOptions {
  readonly accessLog: AccessLogTarget;
  readonly accessLogFormat?: AccessLogFormat;
  /** `127.0.0.1:PORT` of the controller's traffic receiver; absent = no traffic metrics. */
  readonly trafficLog?: string;
}

const SAFE_PATH = /^\/[A-Za-z0-9/._+-]*$/;
const LOOPBACK_TARGET = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/;

/** Whether locations must set the label variables (some log reads them). */
export function needsLabels(opts: RequestLogOptions): boolean {
  return opts.trafficLog !== undefined || (opts.accessLog !== 'off' && (opts.accessLogFormat ?? 'json') === 'json');
}

/** http-level lines: formats and `access_log` directives (throws on a bad path: a config error). */
export function requestLogLines(opts: RequestLogOptions): string[] {
  const lines: string[] = [];
  const format = opts.accessLogFormat ?? 'json';
  if (needsLabels(opts)) for (const v of LABEL_VARIABLES) lines.push(`map "" $${v} {`, '    default "";', '}');
  if (opts.accessLog === 'off' && opts.trafficLog === undefined) return ['access_log off;'];
  if (opts.accessLog !== 'off' && format === 'json') lines.push(`log_format gatehouse_json escape=json ${jsonFormat(JSON_FIELDS)};`);
  if (opts.trafficLog !== undefined) lines.push(`log_format gatehouse_traffic escape=json ${jsonFormat(TRAFFIC_FIELDS)};`);
  // A location with enable-access-log "false" sets $gh_access_log_off; only this log honours it.
  if (opts.accessLog !== 'off') {
    // The map declares the variable for configurations where no location sets it.
    lines.push('map "" $gh_access_log_off {', '    default "";', '}', 'map $gh_access_log_off $gh_access_loggable {', '    default 0;', '    "" 1;', '}');
    const path = opts.accessLog === 'stdout' ? '/dev/stdout' : opts.accessLog.path;
    if (!SAFE_PATH.test(path)) throw new TypeError(`accessLog must be an absolute path of [A-Za-z0-9/._+-]: ${JSON.stringify(path)}`);
    lines.push(`access_log ${quoted(path)} ${format === 'json' ? 'gatehouse_json' : 'combined'} if=$gh_access_loggable;`);
  }
  if (opts.trafficLog !== undefined) {
    if (!LOOPBACK_TARGET.test(opts.trafficLog)) throw new TypeError(`trafficLog must be a 127.x.x.x:port address: ${JSON.stringify(opts.trafficLog)}`);
    // syslog over UDP: a send never blocks a worker; when the controller lags, the kernel drops
    // datagrams at its socket (counted from /proc/net/udp). https://nginx.org/en/docs/syslog.html
    lines.push(`access_log syslog:server=${opts.trafficLog},nohostname,tag=gh gatehouse_traffic;`);
  }
  return lines;
}

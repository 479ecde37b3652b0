import { createHash } from 'node:crypto';
import { ConfBytes } from './conf-bytes.js';
import { isIP } from 'node:net';
import { requestLogLines, needsLabels, type AccessLogFormat } from './access-log.js';
import { clientIpLines, type ClientIpOptions } from './client-ip.js';
import { quoted, regexLiteral } from './escape.js';
import type { LocationModel, NginxModel, RedirectServerModel, ServerModel, UpstreamBalance, UpstreamModel } from './model.js';
import { levelLinesOf } from '../annotations/features/index.js';
import { dynamicPersistentMaps, persistentCookie, persistentMaps } from './persistent-affinity.js';
import { actionBody, locationBody, type LocationContext } from './render-location.js';
import { grpcHeaderLines, proxyHeaderLines, type HttpLevelHeaders } from './proxy-headers.js';
import { serverNamesHash } from './server-names-hash.js';
import { channelHttpLines, channelMainLines, dynamicUpstreamLines, dynamicUpstreamNames, ENDPOINTS_STATUS_LINE, type EndpointChannelOptions } from './dynamic-upstreams.js';
import type { GlobalConfig } from '../configmap/global-config.js';
import { accessLogWith } from '../configmap/groups/access-log.js';
import { clientIpWith } from '../configmap/groups/client-ip.js';
import { DEFAULT_GLOBAL_CONFIG } from '../configmap/parse-configmap.js';
import { globalHttpLines, hstsValue, upstreamKeepaliveLines } from '../configmap/render-global.js';

/** Operator settings (flags), not cluster data. Invalid values throw: they are programmer/config errors. */
export interface RenderOptions {
  /** Absolute directory holding nginx.conf, certs/, temp dirs and the pid file. */
  readonly configDir: string;
  /** `host:port`, e.g. `0.0.0.0:80`, `[::]:80`, `127.0.0.1:18080`. */
  readonly httpListen: string;
  readonly httpsListen: string;
  /** Port clients use for HTTPS (redirect target); default: the port of httpsListen. */
  readonly httpsRedirectPort?: number;
  /** Internal server with `/healthz` and `/gatehouse/checksum` (to confirm a reload took). */
  readonly statusListen?: string;
  /** PEM (key + cert) for unknown SNI names; default `<configDir>/fallback.pem`. */
  readonly fallbackCertificate?: string;
  readonly workerProcesses?: number | 'auto';
  readonly workerConnections?: number;
  /** `user` directive (only meaningful when nginx starts as root). */
  readonly user?: string;
  /** Access log: an absolute path, `stdout` (nginx's, which the controller passes on), or false for none (default). */
  readonly accessLog?: string | false;
  /** Access log lines: JSON objects (default) or nginx's `combined` text. */
  readonly accessLogFormat?: AccessLogFormat;
  /** `127.0.0.1:PORT` where the controller receives the traffic log for its metrics (access-log.ts). */
  readonly trafficLog?: string;
  /** Client address behind load balancers (client-ip.ts); default: believe nothing the client sends. */
  readonly clientIp?: ClientIpOptions;
  /** DNS resolvers for ExternalName Services (`resolver` directive). */
  readonly resolvers?: readonly string[];
  /** Idle keepalive connections per upstream per worker (default: the global configuration's). */
  readonly upstreamKeepalive?: number;
  /** Endpoints of proxied upstreams through the Lua channel, not nginx.conf (dynamic-upstreams.ts). */
  readonly endpointChannel?: EndpointChannelOptions;
  /** The ConfigMap's global configuration (configmap/); default: every key at its default. */
  readonly global?: GlobalConfig;
}

const LISTEN = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|\*):(\d{1,5})$/;
const SAFE_PATH = /^\/[A-Za-z0-9/._+-]*$/;
const CHECKSUM_PLACEHOLDER = '@@GATEHOUSE_CHECKSUM@@';

function listenPort(listen: string): number {
  const m = LISTEN.exec(listen);
  const port = m ? Number(m[1]) : 0;
  if (port < 1 || port > 65535) throw new TypeError(`not a host:port listen address: ${JSON.stringify(listen)}`);
  return port;
}

function safePath(path: string, what: string): string {
  if (!SAFE_PATH.test(path)) throw new TypeError(`${what} must be an absolute path of [A-Za-z0-9/._+-]: ${JSON.stringify(path)}`);
  return path;
}

/** An IP for nginx's `resolver` (IPv6 in brackets); anything else is a configuration error. */
function resolverAddress(ip: string): string {
  const kind = isIP(ip);
  if (kind === 0) throw new TypeError(`not a resolver IP address: ${JSON.stringify(ip)}`);
  return kind === 6 ? `[${ip}]` : ip;
}

/** A line, or a `head { … }` block; serialized once, so deep nesting costs no re-indenting. */
type Node = string | { readonly head: string; readonly body: readonly Node[] };

function block(head: string, body: readonly Node[]): Node {
  return { head, body };
}

/**
 * The text of `nodes` at `depth`, one line each. Appended to one string rather than joined from an
 * array of lines: V8 builds it as a rope and flattens it once, about a third faster at 7 MB.
 */
function serialize(nodes: readonly Node[], depth: number): string {
  const pad = '    '.repeat(depth);
  let text = '';
  for (const n of nodes) {
    if (typeof n === 'string') text += n === '' ? '\n' : `${pad}${n}\n`;
    else text += `${pad}${n.head} {\n${serialize(n.body, depth + 1)}${pad}}\n`;
  }
  return text;
}

/**
 * nginx names matched by a wildcard: `*.foo.com` in server_name also matches `a.b.foo.com`,
 * but an Ingress wildcard matches exactly one label, so it becomes an anchored regex.
 * https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards
 */
function serverName(host: string): string {
  if (host === '') return '_';
  if (!host.startsWith('*.')) return host;
  return quoted(`~^[^.]+${regexLiteral(host.slice(1))}$`);
}

function allLocations(model: NginxModel): LocationModel[] {
  return [model.defaultServer, ...model.servers].flatMap((s) => s.locations);
}

/** nginx's own balancing, for upstreams on the reload path (the endpoint channel does it in Lua). */
function balanceLines(balance: UpstreamBalance | undefined): string[] {
  switch (balance?.kind) {
    case undefined:
      return [];
    case 'cookie':
      // Persistent: round robin for new sessions; the cookie then names the endpoint (persistent-affinity.ts).
      return balance.persistent ? [] : ['hash $gh_affinity consistent;'];
    case 'hash':
      // The key is an escaped list of request variables and literal text (nginx/hash-key.ts).
      return [`hash ${quoted(balance.key)} consistent;`];
    case 'least-conn':
      return ['least_conn;'];
  }
}

function upstreamBlock(u: UpstreamModel, keepalive: readonly string[], dynamicIn?: string): Node | undefined {
  if (dynamicIn !== undefined) return block(`upstream ${u.name}`, dynamicUpstreamLines(dynamicIn, keepalive, u.balance));
  if (u.endpoints.length === 0) return undefined;
  return block(`upstream ${u.name}`, [...balanceLines(u.balance), ...u.endpoints.map((e) => `server ${e.host}:${e.port} max_fails=0;`), ...keepalive]);
}

/**
 * nginx answers a request for `/p` with a 301 to `/p/` when a location named `/p/` — `=` ones too —
 * proxies (proxy_pass, grpc_pass), before any regex is tried; an Exact `/p/` must leave `/p` to the
 * locations that would take it without it (ingress-controller-conformance expects the 404:
 * https://github.com/kubernetes-sigs/ingress-controller-conformance/blob/master/features/path_rules.feature).
 * https://nginx.org/en/docs/http/ngx_http_core_module.html#location (the paragraph on the slash)
 */
function exactRedirects(path: string): boolean {
  return path.length > 1 && path.endsWith('/');
}

/**
 * nginx locations for one server, in the order nginx needs:
 * - Exact → `location = /p` (nginx checks these first; Exact beats Prefix at equal length).
 *   Exact `/p/` → `location ~ "^/p/\z"` instead (see exactRedirects), first of the regexes: it
 *   matches that one path, and beats a Prefix `/p` there as `=` would.
 * - Prefix `/p` → `location = /p` (unless an Exact /p exists: a duplicate `location =` is
 *   fatal) plus `location /p/`, because `location /p` would also match `/pother`.
 * - Regex → `location ~* "^p"`. nginx takes the FIRST matching regex over any non-`=` prefix,
 *   so when a server has regex paths, its other prefixes (except `/`) become anchored regexes
 *   `~ "^/p(?:/|$)"` (still element-wise), and all regexes are ordered by the length of the
 *   Ingress path, longest first, then by path: ingress-nginx's order, approximating "longest
 *   match wins" (a regex's path length is not its match length). `/` stays a plain prefix:
 *   nginx uses it only when no regex matches, right for the shortest possible match.
 * - A `location /` answering like the default server when no Prefix `/` exists.
 */
function serverLocations(server: ServerModel, fallback: readonly string[], ctx: LocationContext): Node[] {
  const locs = server.locations;
  const exact = new Set<string>();
  for (const l of locs) if (l.match === 'exact') exact.add(l.path);
  const hasRegex = locs.some((l) => l.match === 'regex');
  const out: Node[] = [];
  const exactRegexes: Node[] = [];
  const regexes: { sortPath: string; node: Node }[] = [];
  for (const l of locs) {
    const body = locationBody(l, ctx);
    if (l.match === 'exact' && exactRedirects(l.path)) exactRegexes.push(block(`location ~ ${quoted(`^${regexLiteral(l.path)}\\z`)}`, body));
    else if (l.match === 'exact') out.push(block(`location = ${quoted(l.path)}`, body));
    else if (l.match === 'regex') regexes.push({ sortPath: l.path, node: block(`location ~* ${quoted(`^${l.path}`)}`, body) });
    else if (l.path === '/') out.push(block('location /', body));
    else if (hasRegex) regexes.push({ sortPath: l.path, node: block(`location ~ ${quoted(`^${regexLiteral(l.path)}(?:/|$)`)}`, body) });
    else {
      if (!exact.has(l.path)) out.push(block(`location = ${quoted(l.path)}`, body));
      out.push(block(`location ${quoted(`${l.path}/`)}`, body));
    }
  }
  regexes.sort((a, b) => b.sortPath.length - a.sortPath.length || (a.sortPath < b.sortPath ? -1 : a.sortPath > b.sortPath ? 1 : 0));
  for (const node of exactRegexes) out.push(node);
  for (const r of regexes) out.push(r.node);
  if (!locs.some((l) => l.match === 'prefix' && l.path === '/')) out.push(block('location /', fallback));
  // A blank line between locations.
  const spaced: Node[] = [];
  for (const node of out) {
    if (spaced.length > 0) spaced.push('');
    spaced.push(node);
  }
  return spaced;
}

/**
 * Only the default server and hosts listed in `spec.tls` listen for TLS, and each names its
 * certificate itself: nginx loads the certificate of every server that has one (inherited from
 * `http` included) into an SSL_CTX of its own, which made `nginx -t` take ~1 ms per Ingress
 * (12 s at 10,000). An HTTPS request for a host without TLS reaches the default server, which
 * answers it with the fallback certificate, as for any unknown name.
 */
function serverBlock(server: ServerModel, opts: RenderOptions, fallback: readonly string[], ctx: LocationContext, fallbackCert: string, listenSuffix: string): Node {
  const isDefault = server.host === '';
  const suffix = (isDefault ? ' default_server' : '') + listenSuffix;
  const head: Node[] = [`listen ${opts.httpListen}${suffix};`];
  if (isDefault || server.tls) {
    const file = server.certificate ? quoted(`${opts.configDir}/certs/${server.certificate}`) : fallbackCert;
    head.push(`listen ${opts.httpsListen} ssl${(opts.global ?? DEFAULT_GLOBAL_CONFIG).useHttp2 ? ' http2' : ''}${suffix};`, `ssl_certificate ${file};`, `ssl_certificate_key ${file};`);
  }
  head.push(`server_name ${server.aliases ? [serverName(server.host), ...server.aliases].join(' ') : serverName(server.host)};`);
  const featureLines = levelLinesOf('server', server.locations.map((l) => l.settings.features), ctx);
  if (featureLines.length > 0) head.push('', ...featureLines);
  head.push('');
  for (const node of serverLocations(server, fallback, ctx)) head.push(node);
  return block('server', head);
}

/**
 * from-to-www-redirect: every request for `from` gets a 308 to the same URI on `to`, with the
 * scheme and the port the client used (the port from its Host header: nginx's own may not be the
 * one clients reach). ingress-nginx: rootfs/etc/nginx/template/nginx.tmpl, "server redirects".
 */
function redirectServerBlock(r: RedirectServerModel, opts: RenderOptions, fallbackCert: string): Node {
  const head = [`listen ${opts.httpListen};`];
  if (r.tls) {
    const file = r.certificate ? quoted(`${opts.configDir}/certs/${r.certificate}`) : fallbackCert;
    head.push(`listen ${opts.httpsListen} ssl http2;`, `ssl_certificate ${file};`, `ssl_certificate_key ${file};`);
  }
  return block('server', [
    ...head,
    `server_name ${r.from};`,
    '',
    'set $gh_www_port "";',
    'if ($http_host ~ ":([0-9]{1,5})$") {',
    '    set $gh_www_port ":$1";',
    '}',
    `return 308 $scheme://${r.to}$gh_www_port$request_uri;`,
  ]);
}

function statusServer(listen: string, endpointChannel: boolean): Node {
  return block('server', [
    `listen ${listen};`,
    'access_log off;',
    'default_type text/plain;',
    'location = /healthz {',
    '    return 200 "ok\\n";',
    '}',
    // Connection counters for the controller's metrics (traffic-nginx-status.ts).
    'location = /gatehouse/nginx-status {',
    '    stub_status;',
    '}',
    'location = /gatehouse/checksum {',
    `    return 200 "${CHECKSUM_PLACEHOLDER}";`,
    '}',
    // The endpoint file this worker loaded (tests and benchmarks wait for it).
    ...(endpointChannel ? ['location = /gatehouse/endpoints {', `    ${ENDPOINTS_STATUS_LINE}`, '}'] : []),
    'location / {',
    '    return 404;',
    '}',
  ]);
}

/**
 * Model → nginx.conf. Deterministic byte for byte: the same model and options give the same
 * text, so apply.ts can skip reloads by comparing strings. The second line carries a checksum
 * of the rest, also served at `/gatehouse/checksum` on the status server, so the controller
 * can tell when nginx has really loaded this text.
 */
export function renderNginxConf(model: NginxModel, opts: RenderOptions): string {
  const dir = safePath(opts.configDir, 'configDir');
  const fallbackCert = quoted(safePath(opts.fallbackCertificate ?? `${dir}/fallback.pem`, 'fallbackCertificate'));
  listenPort(opts.httpListen);
  const httpsPort = opts.httpsRedirectPort ?? listenPort(opts.httpsListen);
  if (opts.statusListen !== undefined) listenPort(opts.statusListen);
  const flagLog = { target: opts.accessLog === 'stdout' ? ('stdout' as const) : opts.accessLog ? { path: safePath(opts.accessLog, 'accessLog') } : ('off' as const), format: opts.accessLogFormat ?? 'json' };
  // The ConfigMap's client-IP and access-log keys, when set, override the flags (configmap/groups/).
  const accessLog = opts.global ? accessLogWith(flagLog.target, flagLog.format, opts.global) : flagLog;
  const logs = { accessLog: accessLog.target, accessLogFormat: accessLog.format, ...(opts.trafficLog ? { trafficLog: opts.trafficLog } : {}) };
  const clientIp = clientIpLines(opts.global ? clientIpWith(opts.clientIp, opts.global) : opts.clientIp);
  const httpHeaders: HttpLevelHeaders = { proxy: proxyHeaderLines(clientIp), grpc: grpcHeaderLines(clientIp) };
  const user = opts.user;
  if (user !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(user)) throw new TypeError(`not a user name: ${JSON.stringify(user)}`);

  const g = opts.global ?? DEFAULT_GLOBAL_CONFIG;
  const upstreams = new Map(model.upstreams.map((u) => [u.name, u]));
  const dynamic = opts.endpointChannel ? dynamicUpstreamNames(model) : new Set<string>();
  const fallbackUpstream = model.defaultAction.kind === 'proxy' && model.defaultAction.protocol === 'HTTP' ? upstreams.get(model.defaultAction.upstream) : undefined;
  const ctx: LocationContext = {
    upstreams,
    dynamic,
    httpsPortSuffix: httpsPort === 443 ? '' : `:${httpsPort}`,
    secretsDir: `${dir}/certs`,
    // Custom error pages go there (annotations/features/custom-errors.ts).
    ...(fallbackUpstream && fallbackUpstream.endpoints.length > 0 ? { defaultUpstream: fallbackUpstream.name } : {}),
    ...(hstsValue(g) !== undefined ? { hsts: true } : {}),
    ...(needsLabels(logs) ? { logLabels: true } : {}),
    ...(clientIp.forwardedProto !== '$scheme' ? { clientScheme: clientIp.forwardedProto } : {}),
    httpHeaders,
  };
  const fallback = ['# default', ...actionBody(model.defaultAction, ctx)];
  const keepalive = upstreamKeepaliveLines(g, opts.upstreamKeepalive);
  // Wildcard hosts become regex names, which nginx does not hash.
  const hashedNames = [
    ...[model.defaultServer, ...model.servers].flatMap((s) => [serverName(s.host), ...(s.aliases ?? [])]),
    ...(model.redirectServers ?? []).map((r) => r.from),
  ].filter((n) => !n.startsWith('"~'));
  const namesHash = serverNamesHash(hashedNames);

  const http: Node[] = [
    `server_tokens ${g.serverTokens ? 'on' : 'off'};`,
    ...requestLogLines(logs),
    ...clientIp.http,
    // Relative Location headers: nginx's absolute ones would carry its own (internal) port.
    'absolute_redirect off;',
    `client_body_temp_path ${quoted(`${dir}/client_body_temp`)};`,
    `proxy_temp_path ${quoted(`${dir}/proxy_temp`)};`,
    `fastcgi_temp_path ${quoted(`${dir}/fastcgi_temp`)};`,
    `uwsgi_temp_path ${quoted(`${dir}/uwsgi_temp`)};`,
    `scgi_temp_path ${quoted(`${dir}/scgi_temp`)};`,
    `server_names_hash_bucket_size ${namesHash.bucketSize};`,
    `server_names_hash_max_size ${namesHash.maxSize};`,
    ...(opts.resolvers?.length ? [`resolver ${opts.resolvers.map(resolverAddress).join(' ')};`] : []),
    '',
    // WebSocket upgrades pass through; every other request gets an empty Connection header so
    // upstream keepalive works (nginx's default `Connection: close` defeats it).
    block('map $http_upgrade $connection_upgrade', ['default upgrade;', '"" "";']),
    '',
    // nginx defaults to HTTP/1.0 (no keepalive) and `Host: $proxy_host`.
    'proxy_http_version 1.1;',
    ...httpHeaders.proxy,
    `proxy_connect_timeout ${g.proxyConnectTimeout}s;`,
    `proxy_send_timeout ${g.proxySendTimeout}s;`,
    `proxy_read_timeout ${g.proxyReadTimeout}s;`,
    ...httpHeaders.grpc,
    '',
    `ssl_protocols ${g.sslProtocols.join(' ')};`,
    'ssl_session_cache shared:GatehouseSSL:10m;',
    ...globalHttpLines(g),
  ];
  const featureHttp = levelLinesOf('http', allLocations(model).map((l) => l.settings.features), ctx);
  if (featureHttp.length > 0) http.push('', ...featureHttp);
  if (opts.endpointChannel) http.push('', ...channelHttpLines(opts.endpointChannel, dir, model.upstreams.filter((u) => dynamic.has(u.name))));

  const main: Node[] = [
    ...(opts.endpointChannel ? channelMainLines(opts.endpointChannel) : []),
    ...(user ? [`user ${user};`] : []),
    `worker_processes ${opts.workerProcesses ?? g.workerProcesses};`,
    `pid ${quoted(`${dir}/nginx.pid`)};`,
    'error_log stderr notice;',
    // Regex locations are matched by PCRE2's JIT compiler: several times faster per request than
    // its interpreter. https://nginx.org/en/docs/ngx_core_module.html#pcre_jit
    'pcre_jit on;',
    '',
    block('events', [`worker_connections ${opts.workerConnections ?? g.maxWorkerConnections};`]),
    '',
  ];
  // The http block is written a block at a time (conf-bytes.ts): each is garbage once written.
  const out = new ConfBytes();
  const put = (nodes: readonly Node[]): void => out.append(serialize(nodes, 1));
  out.append(`${serialize(main, 0)}http {\n`);
  put(http);
  for (const u of model.upstreams) {
    const node = upstreamBlock(u, keepalive, dynamic.has(u.name) ? dir : undefined);
    if (!node) continue;
    put(['', node]);
    const cookie = persistentCookie(u);
    if (cookie !== undefined) put(['', ...(dynamic.has(u.name) ? dynamicPersistentMaps(u, cookie) : persistentMaps(u, cookie))]);
  }
  for (const server of [model.defaultServer, ...model.servers]) put(['', serverBlock(server, opts, fallback, ctx, fallbackCert, clientIp.listenSuffix)]);
  for (const r of model.redirectServers ?? []) put(['', redirectServerBlock(r, opts, fallbackCert)]);
  // Cluster text may spell the placeholder too (a path may hold `@`): only the status server's is replaced.
  const statusAt = out.length;
  if (opts.statusListen !== undefined) put(['', statusServer(opts.statusListen, opts.endpointChannel !== undefined)]);
  out.append('}\n');

  const body = out.bytes();
  const checksum = createHash('sha256').update(body).digest('hex').slice(0, 32);
  const header = `# Generated by Gatehouse; replaced on every change. Do not edit.\n# checksum: ${checksum}\n`;
  const at = opts.statusListen !== undefined ? body.indexOf(CHECKSUM_PLACEHOLDER, statusAt, 'latin1') : -1;
  if (at < 0) return header + body.toString('utf8');
  return header + body.toString('utf8', 0, at) + checksum + body.toString('utf8', at + CHECKSUM_PLACEHOLDER.length);
}

/** The checksum line of a rendered nginx.conf (what `/gatehouse/checksum` answers once loaded). */
export function checksumOf(conf: string): string | undefined {
  return /^# checksum: ([0-9a-f]{32})$/m.exec(conf)?.[1];
}

// Upstreams whose endpoints reach nginx without a reload (docs/controller.md, "Endpoint changes").
// nginx.conf names such an upstream but lists none of its endpoints: its block holds a placeholder
// server (a unix socket of this nginx that answers 503) and a `balancer_by_lua_block` calling the
// static Lua in lua/gatehouse/endpoints.lua, which picks an endpoint from a file the controller
// rewrites (src/controller/endpoint-publisher.ts). So nginx.conf does not change when only
// endpoints do, and apply.ts does not reload.
// https://github.com/openresty/lua-nginx-module#balancer_by_lua_block
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { quoted } from './escape.js';
import type { NginxModel, UpstreamBalance, UpstreamModel } from './model.js';

/** Where the Lua module and the endpoint file are (operator settings, absolute paths). */
export interface EndpointChannelOptions {
  /** The endpoint file the controller writes and every nginx worker polls. */
  readonly file: string;
  /** Directory holding `gatehouse/endpoints.lua` (the repository's `lua/`). */
  readonly luaDir: string;
  /** Debian's dynamic modules (libnginx-mod-http-lua): `ndk_http_module.so`, `ngx_http_lua_module.so`. */
  readonly modulesDir?: string;
}

/** Endpoints per upstream written for nginx; the Lua side enforces the same cap. */
export const MAX_ENDPOINTS = 4096;
/** Environment variable naming the endpoint file for the Lua module (an `env` directive sets it). */
const FILE_ENV = 'GATEHOUSE_ENDPOINTS_FILE';
const SAFE_PATH = /^\/[A-Za-z0-9/._+-]*$/;
/** sun_path is 108 bytes on Linux, with its terminating NUL. */
const MAX_SOCKET_PATH = 107;

function safePath(path: string, what: string): string {
  if (!SAFE_PATH.test(path)) throw new TypeError(`${what} must be an absolute path of [A-Za-z0-9/._+-]: ${JSON.stringify(path)}`);
  return path;
}

/** The unix socket of the server answering 503 for an upstream without endpoints. */
export function unavailableSocket(configDir: string): string {
  const path = `${configDir}/gatehouse-unavailable.sock`;
  if (path.length > MAX_SOCKET_PATH) throw new TypeError(`configDir is too long for a unix socket path: ${JSON.stringify(configDir)}`);
  return path;
}

/**
 * Upstreams served through the channel: every upstream a location proxies to, whatever its
 * balancing (round robin, consistent hash, least-conn, cookie affinity: lua/gatehouse/endpoints.lua
 * implements each) and protocol (grpc_pass names its upstream in `$gh_upstream`; locations whose
 * protocol the 503 placeholder cannot speak answer 503 from Lua first).
 */
export function dynamicUpstreamNames(model: NginxModel): ReadonlySet<string> {
  const used = new Set<string>();
  const actions = [model.defaultAction, ...[model.defaultServer, ...model.servers].flatMap((s) => s.locations.flatMap((l) => (l.canary ? [l.action, l.canary.action] : [l.action])))];
  for (const action of actions) if (action.kind === 'proxy') used.add(action.upstream);
  const names = new Set<string>();
  for (const u of model.upstreams) if (used.has(u.name)) names.add(u.name);
  return names;
}

/** Main-context lines: the Lua module and where its endpoint file is. */
export function channelMainLines(opts: EndpointChannelOptions): string[] {
  const modules = safePath(opts.modulesDir ?? '/usr/lib/nginx/modules', 'modulesDir');
  return [
    `load_module ${quoted(`${modules}/ndk_http_module.so`)};`,
    `load_module ${quoted(`${modules}/ngx_http_lua_module.so`)};`,
    `env ${quoted(`${FILE_ENV}=${safePath(opts.file, 'endpoint file')}`)};`,
  ];
}

/** Name-keyed maps for the Lua balancer: the upstreams that need one, by balancing. */
function balanceMaps(upstreams: readonly UpstreamModel[]): string[] {
  const hashKeys: string[] = [];
  const pinCookies: string[] = [];
  for (const u of upstreams) {
    // Names are `[a-z0-9_-]` with a `_` (upstreams.ts): never a map keyword. Keys and cookie
    // names were escaped for nginx.conf (hash-key.ts, affinity.ts), as in the `hash` directive.
    if (u.balance?.kind === 'hash') hashKeys.push(`    ${u.name} ${quoted(u.balance.key)};`);
    if (u.balance?.kind === 'cookie' && u.balance.persistent) pinCookies.push(`    ${u.name} $cookie_${u.balance.cookie};`);
  }
  return [
    // upstream-hash-by: nginx evaluates the key; Lua only hashes the resulting string.
    ...(hashKeys.length > 0 ? ['map $gh_upstream_name $gh_hash_key {', '    volatile;', '    default "";', ...hashKeys, '}'] : []),
    // Persistent affinity: the cookie naming the endpoint, read by Lua (persistent-affinity.ts).
    ...(pinCookies.length > 0 ? ['map $gh_upstream_name $gh_pin_cookie {', '    volatile;', '    default "";', ...pinCookies, '}'] : []),
  ];
}

/**
 * http-context lines: the Lua path, the per-worker loader, the variables the Lua balancer reads
 * and writes, the 503 server. `upstreams`: the dynamic ones (their balancing decides the maps).
 */
export function channelHttpLines(opts: EndpointChannelOptions, configDir: string, upstreams: readonly UpstreamModel[] = []): string[] {
  const leastConn = upstreams.some((u) => u.balance?.kind === 'least-conn');
  return [
    `lua_package_path ${quoted(`${safePath(opts.luaDir, 'luaDir')}/?.lua;;`)};`,
    'init_worker_by_lua_block { require("gatehouse.endpoints").init() }',
    // Least-conn counts a request until it ends, whichever location it ends in (an error_page
    // may have moved it): the log phase of every request releases its slot, if it has one.
    ...(leastConn ? ['log_by_lua_block { require("gatehouse.endpoints").log() }'] : []),
    // Declared here, so Lua may write them whichever location proxied (ngx.var needs a declared
    // variable) and no `set` of a later location resets them: the endpoint a persistent session
    // was sent to, and a least-conn request's slot.
    'map "" $gh_pin_id {',
    '    default "";',
    '}',
    'map "" $gh_lc_peer {',
    '    default "";',
    '}',
    // nginx lets Lua write only variables nginx.conf reads somewhere (indexed ones): this map
    // reads both, and nothing reads it.
    'map "$gh_pin_id$gh_lc_peer" $gh_lua_written {',
    '    default "";',
    '}',
    // The upstream a location names for Lua when nginx has no $proxy_host (grpc_pass), and the
    // one a canary split chose; locations `set` it.
    'map "" $gh_upstream {',
    '    default "";',
    '}',
    // The upstream being balanced: $proxy_host (not reachable from Lua by name, as nginx does not
    // hash it; a map is), else $gh_upstream. Volatile: a subrequest shares its parent's variable
    // cache and may proxy elsewhere, and an error_page may move a request to another location.
    'map $proxy_host $gh_upstream_name {',
    '    volatile;',
    '    "" $gh_upstream;',
    '    default $proxy_host;',
    '}',
    ...balanceMaps(upstreams),
    'server {',
    `    listen ${quoted(`unix:${unavailableSocket(configDir)}`)};`,
    '    access_log off;',
    '    return 503;',
    '}',
  ];
}

const BALANCE_FUNCTION = { 'round-robin': 'balance', hash: 'balance_hash', cookie: 'balance_cookie', persistent: 'balance_persistent', 'least-conn': 'balance_least_conn' } as const;

function balanceFunction(balance: UpstreamBalance | undefined): string {
  if (balance === undefined) return BALANCE_FUNCTION['round-robin'];
  if (balance.kind === 'cookie' && balance.persistent) return BALANCE_FUNCTION.persistent;
  return BALANCE_FUNCTION[balance.kind];
}

/** The body of a dynamic upstream's block (no endpoint in it): the balancer for its balancing. */
export function dynamicUpstreamLines(configDir: string, keepalive: readonly string[], balance?: UpstreamBalance): string[] {
  // keepalive after the balancer: it wraps the peer selection the Lua balancer installs.
  return [`server ${quoted(`unix:${unavailableSocket(configDir)}`)};`, `balancer_by_lua_block { require("gatehouse.endpoints").${balanceFunction(balance)}() }`, ...keepalive];
}

/**
 * rewrite_by_lua for a location whose protocol the placeholder cannot answer, or whose custom
 * error pages must see nginx's own 503: 503 (or the location's default backend) without endpoints.
 */
export const CHECK_ENDPOINTS_LINE = 'rewrite_by_lua_block { require("gatehouse.endpoints").check() }';

/** Status-server location: the endpoint file's header as this worker loaded it (tests, benchmarks). */
export const ENDPOINTS_STATUS_LINE = 'content_by_lua_block { require("gatehouse.endpoints").status() }';

/** The key of an upstream in the endpoint file: no name reaches the file. */
export function upstreamKey(name: string): string {
  return createHash('sha1').update(name).digest('hex');
}

/** `a.b.c.d:port` or `[v6]:port`, or undefined for anything else (names above all). */
function endpointToken(host: string, port: number): string | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (isIP(host) === 4) return `${host}:${port}`;
  const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(inner) === 6 && /^[0-9a-f:.]+$/.test(inner)) return `[${inner}]:${port}`;
  return undefined;
}

/** An upstream's line, and how many endpoints were left out (not IP literals, over the cap). */
function tableLine(u: UpstreamModel): { line: string; dropped: number } {
  const tokens: string[] = [];
  let dropped = 0;
  for (const e of u.endpoints) {
    const token = endpointToken(e.host, e.port);
    if (token === undefined || tokens.length >= MAX_ENDPOINTS) dropped++;
    else tokens.push(token);
  }
  return { line: [upstreamKey(u.name), ...tokens].join(' '), dropped };
}

/** The endpoint file's text and what was left out of it. */
export interface EndpointTable {
  readonly text: string;
  /** Endpoints not written (not an IP literal, or past MAX_ENDPOINTS), for a warning. */
  readonly dropped: number;
}

/**
 * The endpoint file for `upstreams` (the Lua module's format): a header with a hash of the rest
 * (workers re-read the file when it changes), then `<sha1 of the name> <ip>:<port>...` per
 * upstream, sorted. Deterministic: the same upstreams give the same bytes.
 */
export function endpointTable(upstreams: Iterable<UpstreamModel>): EndpointTable {
  const lines: string[] = [];
  let dropped = 0;
  for (const u of upstreams) {
    const t = tableLine(u);
    lines.push(t.line);
    dropped += t.dropped;
  }
  lines.sort();
  const body = lines.map((l) => `${l}\n`).join('');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
  return { text: `gatehouse-endpoints v1 ${hash}\n${body}`, dropped };
}

/** The dynamic upstreams of a model (what the endpoint file must hold for it). */
export function dynamicUpstreams(model: NginxModel): UpstreamModel[] {
  const names = dynamicUpstreamNames(model);
  return model.upstreams.filter((u) => names.has(u.name));
}

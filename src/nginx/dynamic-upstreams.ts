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
import type { Action, NginxModel, UpstreamModel } from './model.js';

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

function proxiedUpstream(action: Action): { name: string; plainHttp: boolean } | undefined {
  return action.kind === 'proxy' ? { name: action.upstream, plainHttp: action.protocol === 'HTTP' } : undefined;
}

/**
 * Upstreams served through the channel: round robin ones that only plain-HTTP locations proxy to.
 * The others stay on the reload path, endpoints in nginx.conf: hash, cookie and least_conn
 * balancing are nginx's own upstream modules, which a Lua balancer replaces; grpc_pass has no
 * `$proxy_host` to name the upstream; and the 503 placeholder speaks plain HTTP/1.
 */
export function dynamicUpstreamNames(model: NginxModel): ReadonlySet<string> {
  const excluded = new Set<string>();
  const used = new Set<string>();
  const actions = [model.defaultAction, ...[model.defaultServer, ...model.servers].flatMap((s) => s.locations.map((l) => l.action))];
  for (const action of actions) {
    const p = proxiedUpstream(action);
    if (!p) continue;
    used.add(p.name);
    if (!p.plainHttp) excluded.add(p.name);
  }
  const names = new Set<string>();
  for (const u of model.upstreams) if (u.balance === undefined && used.has(u.name) && !excluded.has(u.name)) names.add(u.name);
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

/** http-context lines: the Lua path, the per-worker loader, the upstream-name variable, the 503 server. */
export function channelHttpLines(opts: EndpointChannelOptions, configDir: string): string[] {
  return [
    `lua_package_path ${quoted(`${safePath(opts.luaDir, 'luaDir')}/?.lua;;`)};`,
    'init_worker_by_lua_block { require("gatehouse.endpoints").init() }',
    // $proxy_host is not reachable from Lua by name (nginx does not hash it); a map is. Volatile:
    // a subrequest shares its parent's variable cache and may proxy elsewhere.
    'map $proxy_host $gh_proxy_host {',
    '    volatile;',
    '    default $proxy_host;',
    '}',
    'server {',
    `    listen ${quoted(`unix:${unavailableSocket(configDir)}`)};`,
    '    access_log off;',
    '    return 503;',
    '}',
  ];
}

/** The body of a dynamic upstream's block (no endpoint in it). */
export function dynamicUpstreamLines(configDir: string, keepalive: readonly string[]): string[] {
  return [`server ${quoted(`unix:${unavailableSocket(configDir)}`)};`, 'balancer_by_lua_block { require("gatehouse.endpoints").balance() }', ...keepalive];
}

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

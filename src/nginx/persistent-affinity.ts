// Persistent cookie affinity (`affinity-mode: persistent`) in plain nginx. ingress-nginx keeps the
// endpoint in its Lua balancer; here the cookie carries an opaque id of the endpoint that answered,
// and three maps per upstream turn it back into that endpoint:
// - `$cookie_<name>` → `$gh_pin_<u>`: the endpoint's address for a known id, else the upstream's
//   name (balanced as usual). Only addresses of current endpoints can come out: a client cannot
//   name an arbitrary address.
// - `$upstream_addr` → `$gh_endpoint_<u>`: the id of the endpoint that answered.
// - both → `$gh_set_cookie_<u>`: a Set-Cookie when the client's id is not the answering endpoint's
//   (first request, or its endpoint is gone), nothing otherwise.
// Through the endpoint channel (dynamic-upstreams.ts) the first two maps would list endpoints, so
// Lua does their work instead (lua/gatehouse/endpoints.lua, balance_persistent): it resolves the
// cookie's id among the current endpoints (an unknown id is balanced, never dialled) and writes
// the chosen endpoint's id to `$gh_pin_id`, which the Set-Cookie map reads.
// https://nginx.org/en/docs/http/ngx_http_map_module.html
import { createHash } from 'node:crypto';
import { upstreamKey } from './dynamic-upstreams.js';
import { quoted } from './escape.js';
import type { UpstreamModel } from './model.js';

/** Variable names are `[a-z0-9_]`; upstream names may hold `-`, so they are hashed. */
function suffix(upstream: string): string {
  return createHash('sha256').update(upstream).digest('hex').slice(0, 12);
}

/**
 * The id of an endpoint in the cookie: opaque, so pod addresses do not reach clients. The Lua
 * balancer computes the same from the endpoint file, which holds the upstream's key, not its name.
 */
export function endpointId(upstream: string, address: string): string {
  return createHash('sha1').update(`${upstreamKey(upstream)}\0${address}`).digest('hex').slice(0, 16);
}

/** The persistent-affinity cookie of an upstream, if it uses one. */
export function persistentCookie(u: UpstreamModel): string | undefined {
  return u.balance?.kind === 'cookie' && u.balance.persistent ? u.balance.cookie : undefined;
}

/** The three maps of a persistent upstream (http level), as lines. */
export function persistentMaps(u: UpstreamModel, cookie: string): string[] {
  const s = suffix(u.name);
  const addresses = u.endpoints.map((e) => `${e.host}:${e.port}`);
  return [
    `map $cookie_${cookie} $gh_pin_${s} {`,
    `    default ${u.name};`,
    ...addresses.map((a) => `    ${quoted(endpointId(u.name, a))} ${quoted(a)};`),
    '}',
    `map $upstream_addr $gh_endpoint_${s} {`,
    '    default "";',
    ...addresses.map((a) => `    ${quoted(a)} ${quoted(endpointId(u.name, a))};`),
    '}',
    ...setCookieMap(cookie, `$gh_endpoint_${s}`, s),
  ];
}

/** `$gh_set_cookie_<u>`: the Set-Cookie for the endpoint id in `endpoint`, or nothing. */
function setCookieMap(cookie: string, endpoint: string, s: string): string[] {
  return [
    `map "$cookie_${cookie}|${endpoint}" $gh_set_cookie_${s} {`,
    // No known endpoint answered (none, or retries: "a, b"): leave the cookie alone.
    '    "~\\|$" "";',
    // The client's id is the answering endpoint's: nothing to set.
    '    "~^(?<gh_id>[^|]+)\\|\\k<gh_id>$" "";',
    `    default ${quoted(`${cookie}=${endpoint}; $gh_cookie_attributes`)};`,
    '}',
  ];
}

/** The map of a persistent upstream on the endpoint channel: Lua names the endpoint in $gh_pin_id. */
export function dynamicPersistentMaps(u: UpstreamModel, cookie: string): string[] {
  return setCookieMap(cookie, '$gh_pin_id', suffix(u.name));
}

/** The content lines of a location proxying to a persistent upstream (`pass` = `proxy_pass http`, ...). */
export function persistentPass(u: UpstreamModel, directive: string, scheme: string): string[] {
  const s = suffix(u.name);
  return [`add_header Set-Cookie $gh_set_cookie_${s};`, `${directive} ${scheme}://$gh_pin_${s};`];
}

/** The same on the endpoint channel: the upstream by name, Lua resolves the cookie. */
export function dynamicPersistentPass(u: UpstreamModel, directive: string, scheme: string): string[] {
  return [`add_header Set-Cookie $gh_set_cookie_${suffix(u.name)};`, `${directive} ${scheme}://${u.name};`];
}

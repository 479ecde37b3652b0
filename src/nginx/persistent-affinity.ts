// Persistent cookie affinity (`affinity-mode: persistent`) in plain nginx. ingress-nginx keeps the
// endpoint in its Lua balancer; here the cookie carries an opaque id of the endpoint that answered,
// and three maps per upstream turn it back into that endpoint:
// - `$cookie_<name>` → `$gh_pin_<u>`: the endpoint's address for a known id, else the upstream's
//   name (balanced as usual). Only addresses of current endpoints can come out: a client cannot
//   name an arbitrary address.
// - `$upstream_addr` → `$gh_endpoint_<u>`: the id of the endpoint that answered.
// - both → `$gh_set_cookie_<u>`: a Set-Cookie when the client's id is not the answering endpoint's
//   (first request, or its endpoint is gone), nothing otherwise.
// https://nginx.org/en/docs/http/ngx_http_map_module.html
import { createHash } from 'node:crypto';
import { quoted } from './escape.js';
import type { UpstreamModel } from './model.js';

/** Variable names are `[a-z0-9_]`; upstream names may hold `-`, so they are hashed. */
function suffix(upstream: string): string {
  return createHash('sha256').update(upstream).digest('hex').slice(0, 12);
}

/** The id of an endpoint in the cookie: opaque, so pod addresses do not reach clients. */
function endpointId(upstream: string, address: string): string {
  return createHash('sha256').update(`${upstream}\0${address}`).digest('hex').slice(0, 16);
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
    `map "$cookie_${cookie}|$gh_endpoint_${s}" $gh_set_cookie_${s} {`,
    // No known endpoint answered (none, or retries: "a, b"): leave the cookie alone.
    '    "~\\|$" "";',
    // The client's id is the answering endpoint's: nothing to set.
    '    "~^(?<gh_id>[^|]+)\\|\\k<gh_id>$" "";',
    `    default ${quoted(`${cookie}=$gh_endpoint_${s}; $gh_cookie_attributes`)};`,
    '}',
  ];
}

/** The content lines of a location proxying to a persistent upstream (`pass` = `proxy_pass http`, ...). */
export function persistentPass(u: UpstreamModel, directive: string, scheme: string): string[] {
  const s = suffix(u.name);
  return [`add_header Set-Cookie $gh_set_cookie_${s};`, `${directive} ${scheme}://$gh_pin_${s};`];
}

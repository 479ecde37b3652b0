// Custom ajv formats for values a regular expression cannot judge well. Addresses are parsed by
// node:net (the same parser Node uses for sockets), not matched by a hand-written regex.
import { isIP } from 'node:net';

const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * An IPv4/IPv6 address or CIDR range as nginx's `allow`/`deny` accept it (`10.0.0.0/8`,
 * `2001:db8::/32`, `192.168.1.7`). IPv6 zone ids (`fe80::1%eth0`) are refused: node accepts them,
 * nginx does not.
 */
export function isIpOrCidr(value: string): boolean {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  if (address.includes('%')) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (slash < 0) return true;
  const prefix = value.slice(slash + 1);
  if (!PREFIX_LENGTH.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** A DNS name or an IPv4 address (dotted labels), or a bracketed IPv6 address; then a port. */
const HOST_PORT = `(${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]{1,5}))?`;

function validHostPort(host: string, port: string | undefined): boolean {
  if (host.startsWith('[') && isIP(host.slice(1, -1)) !== 6) return false;
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/**
 * Scheme, an explicit authority, then RFC 3986 characters minus those nginx or the universal guard
 * treat as syntax (`# $ ' ;`). The authority is matched here because WHATWG URL parsing forgives
 * too much (`https:///path` has host "path", `http://0x7f.1/` is 127.0.0.1).
 */
const HTTP_URL = new RegExp(`^https?://${HOST_PORT}(?:[/?][A-Za-z0-9._~:/?[\\]@!&()*+,=%-]*)?$`);

/** An absolute http(s) URL with a host and no credentials: a redirect target. */
export function isHttpUrl(value: string): boolean {
  const m = HTTP_URL.exec(value);
  if (!m) return false;
  const host = m[1] as string;
  if (!validHostPort(host, m[2])) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // A host the browser rewrites (`0x7f.1`, `2130706433`) is not the host the user wrote.
  return host.startsWith('[') || url.hostname === host.toLowerCase();
}

const ORIGIN = new RegExp(`^[a-z][a-z0-9+.-]{0,31}://(?:\\*\\.)?${HOST_PORT}$`);

/**
 * A CORS origin as ingress-nginx accepts it: `*`, or `scheme://host[:port]` where host may start
 * with one `*.` wildcard label (`https://*.example.com`). Any URI scheme, as ingress-nginx's own
 * example shows (`myprotocol://example.org:1199`; mobile apps send `capacitor://localhost`).
 * No path: browsers send none.
 * https://fetch.spec.whatwg.org/#origin-header
 */
export function isCorsOrigin(value: string): boolean {
  if (value === '*') return true;
  const m = ORIGIN.exec(value);
  return m !== null && validHostPort(m[1] as string, m[2]);
}

/** Formats registered on the catalog's ajv instance, by name. */
export const ANNOTATION_FORMATS = {
  'ip-or-cidr': isIpOrCidr,
  'http-url': isHttpUrl,
  'cors-origin': isCorsOrigin,
} as const;

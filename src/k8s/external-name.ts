import { BlockList, isIP } from 'node:net';

/**
 * Addresses an ExternalName Service must never lead the controller to: its own host (loopback,
 * where nginx's status server and the controller's metrics listen), the unspecified address, and
 * link-local ranges, which hold the cloud metadata services (169.254.169.254, fd00:ec2::254) —
 * classic SSRF targets (https://owasp.org/www-community/attacks/Server_Side_Request_Forgery).
 */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('127.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
// Alibaba Cloud's metadata service sits outside link-local.
FORBIDDEN.addAddress('100.100.100.200', 'ipv4');
FORBIDDEN.addAddress('::1', 'ipv6');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6');

/** Names that resolve to the controller's own host or a metadata service by convention. */
const FORBIDDEN_NAMES = [/^localhost$/, /\.localhost$/, /^metadata\.google\.internal$/, /^metadata$/];

/** `::ffff:127.0.0.1` is 127.0.0.1 to a dual-stack socket. */
function unmapped(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

/**
 * Why `spec.externalName` must not be proxied to, or undefined when it may. One decision for the
 * admission rule and the renderer: a Service changed after its Ingress was admitted never passes
 * the Ingress webhook, so the controller must refuse on its own too. A DNS name that only
 * resolves to such an address at request time cannot be seen here; nginx's `resolver` is the
 * place for that.
 */
export function forbiddenExternalName(target: string): string | undefined {
  const name = target.trim().toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  if (name === '') return 'it is empty';
  const family = isIP(unmapped(name));
  if (family !== 0) {
    const ip = unmapped(name);
    if (FORBIDDEN.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return `${ip} is a loopback, link-local, unspecified or metadata address`;
    return undefined;
  }
  if (FORBIDDEN_NAMES.some((re) => re.test(name))) return `${name} names the local host or a metadata service`;
  return undefined;
}

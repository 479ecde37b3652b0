// Established TCP connections from /proc/net/tcp (Linux): which peers hold a connection to a
// local listener, so a test can tell a reused connection from a new one.
import { readFile } from 'node:fs/promises';

/** /proc/net/tcp writes an IPv4 address as the 32-bit value in host (little-endian) order. */
function procAddress(ip: string, port: number): string {
  const hex = ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .reverse()
    .join('')
    .toUpperCase();
  return `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Remote `address:port` (as /proc writes them) of every ESTABLISHED connection to `ip:port`. */
export async function establishedPeers(ip: string, port: number): Promise<Set<string>> {
  const local = procAddress(ip, port);
  const peers = new Set<string>();
  for (const line of (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1)) {
    const [, localAddress, remoteAddress, state] = line.trim().split(/\s+/);
    if (localAddress === local && state === '01' && remoteAddress) peers.add(remoteAddress);
  }
  return peers;
}

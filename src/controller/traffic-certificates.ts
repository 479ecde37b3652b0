// When the certificate each host is served with expires, from the certificates the controller
// rendered (nginx/certificates.ts files: key and chain in one PEM).
import { X509Certificate } from 'node:crypto';
import type { NginxModel } from '../nginx/model.js';
import { pemBlocks } from '../tls/pem-blocks.js';

/** notAfter (seconds since the epoch) of the leaf certificate in a key + chain PEM, if readable. */
function leafExpiry(pem: string): number | undefined {
  const parsed = pemBlocks(pem);
  const leaf = parsed.ok ? parsed.blocks.find((b) => b.label === 'CERTIFICATE') : undefined;
  if (!leaf) return undefined;
  try {
    return Math.floor(new X509Certificate(leaf.text).validToDate.getTime() / 1000);
  } catch {
    return undefined;
  }
}

/** Host → expiry of its certificate, for hosts served with a Secret's certificate (not the fallback). */
export function certificateExpiries(model: NginxModel): Map<string, number> {
  const content = new Map(model.secretFiles.map((f) => [f.file, f.content]));
  const byFile = new Map<string, number | undefined>();
  const out = new Map<string, number>();
  for (const server of model.servers) {
    if (server.certificate === undefined) continue;
    if (!byFile.has(server.certificate)) byFile.set(server.certificate, leafExpiry(content.get(server.certificate) ?? ''));
    const expiry = byFile.get(server.certificate);
    if (expiry !== undefined) out.set(server.host, expiry);
  }
  return out;
}

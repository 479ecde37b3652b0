import { X509Certificate } from 'node:crypto';
import { pemBlocks } from './pem-blocks.js';
import { certificateWeakness } from './security-level.js';

/** A CA bundle nginx can load (`ssl_client_certificate`, `proxy_ssl_trusted_certificate`), or why not. */
export type CaBundle = { readonly ok: true; readonly pem: string; readonly count: number } | { readonly ok: false; readonly problem: string };

/** A CA bundle is a handful of certificates; a larger value is a mistake or an attempt to slow every render. */
export const CA_BUNDLE_MAX_BYTES = 256 * 1024;
const CA_BUNDLE_MAX_CERTIFICATES = 100;

/**
 * Judges a CA bundle (`ca.crt`; `what` names it in messages) as nginx would load it: only PEM
 * CERTIFICATE blocks, each parsed and strong enough for OpenSSL security level 2 (a weak CA
 * makes every verification fail), bounded in size. The bundle holds exactly the parsed blocks,
 * nothing else. Messages name blocks, never content.
 */
export function caBundle(text: string, what = 'ca.crt'): CaBundle {
  if (text.length > CA_BUNDLE_MAX_BYTES) return { ok: false, problem: `${what} is larger than ${CA_BUNDLE_MAX_BYTES} bytes` };
  const read = pemBlocks(text);
  if (!read.ok) return { ok: false, problem: `${what} ${read.problem}` };
  if (read.blocks.length === 0) return { ok: false, problem: `${what} is not a PEM certificate` };
  if (read.blocks.length > CA_BUNDLE_MAX_CERTIFICATES) return { ok: false, problem: `${what} holds more than ${CA_BUNDLE_MAX_CERTIFICATES} certificates` };
  for (const [i, block] of read.blocks.entries()) {
    const which = `${what} block ${i + 1}`;
    if (block.label !== 'CERTIFICATE') return { ok: false, problem: `${which} is a ${block.label.toLowerCase()}; ${what} must hold only certificates` };
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block.text);
    } catch {
      return { ok: false, problem: `${which} is not a valid PEM certificate` };
    }
    const weakness = certificateWeakness(cert);
    if (weakness) return { ok: false, problem: `${what} certificate ${i + 1} ${weakness}` };
  }
  return { ok: true, pem: read.blocks.map((b) => b.text).join(''), count: read.blocks.length };
}

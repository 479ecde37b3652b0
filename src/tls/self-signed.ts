import { generateCa, issueServingCert } from '../certgen/generate.js';
import { certExpiry } from './cert-expiry.js';
import type { ServingPair } from './serving-pair.js';

const THIRTY_DAYS_MS = 30 * 86_400_000;

/**
 * An in-memory serving certificate for `--self-signed` try-outs: a throwaway CA and a leaf for
 * `hosts`, issued by the same code as `certgen create`; the chain (leaf + CA) is served.
 */
export function selfSignedKeyPair(hosts: readonly string[]): ServingPair {
  const ca = generateCa({ keySize: 2048, validityMs: THIRTY_DAYS_MS });
  const leaf = issueServingCert(ca, { hosts: [...hosts], keySize: 2048, validityMs: THIRTY_DAYS_MS });
  return { cert: leaf.certPem + ca.certPem, key: leaf.keyPem, notAfter: certExpiry(leaf.certPem) };
}

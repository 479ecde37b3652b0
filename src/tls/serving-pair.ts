import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileErrorMessage } from '../errors.js';

/** A PEM serving certificate (chain allowed) and its private key, checked to belong together. */
export interface ServingPair {
  readonly cert: string;
  readonly key: string;
  readonly notAfter: Date;
}

/**
 * Parses and checks a pair: the leaf must parse, the key must parse and match it.
 * Throws an Error naming the problem (never the key material).
 */
export function checkServingPair(cert: string, key: string, source = 'certificate'): ServingPair {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${source}: not a PEM certificate (${(err as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`${source}: the private key is not a readable PEM key`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new Error(`${source}: the private key does not match the certificate`);
  return { cert, key, notAfter: new Date(leaf.validTo) };
}

/** Reads and checks `--tls-cert-file`/`--tls-key-file`. */
export async function loadServingPair(certFile: string, keyFile: string): Promise<ServingPair> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (err) {
    throw new Error(fileErrorMessage('read', (err as NodeJS.ErrnoException).path ?? certFile, err));
  }
  return checkServingPair(cert, key, certFile);
}

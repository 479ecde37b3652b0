import { X509Certificate } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selfSignedKeyPair } from '../tls/self-signed.js';

/** File name render.ts uses for the fallback certificate by default. */
export const FALLBACK_CERT_FILE = 'fallback.pem';

/** Regenerate when fewer than this many ms of validity remain. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

async function stillValid(path: string, now: number): Promise<boolean> {
  try {
    const pem = await readFile(path, 'utf8');
    const cert = new X509Certificate(pem);
    return Date.parse(cert.validTo) - now > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

/**
 * The self-signed certificate nginx presents for an SNI name no Ingress has a certificate for
 * (and for HTTPS hosts whose Secret is missing or broken): generated once at startup, kept in
 * the config dir (key + certificate in one file, mode 0600), reused while valid.
 * Returns its path.
 */
export async function ensureFallbackCertificate(configDir: string, now = Date.now()): Promise<string> {
  const path = join(configDir, FALLBACK_CERT_FILE);
  if (await stillValid(path, now)) return path;
  const pair = selfSignedKeyPair(['gatehouse-fallback.invalid']);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${pair.key.trim()}\n${pair.cert.trim()}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return path;
}

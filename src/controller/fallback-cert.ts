import { X509Certificate } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterSnapshot } from '../k8s/snapshot.js';
import { certificateFromSecret } from '../nginx/certificates.js';
import type { SecretFile } from '../nginx/model.js';
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

/** `--default-ssl-certificate`: the Secret's pair as a SecretFile, or why the generated one stays. */
export type DefaultCertificate = { readonly ok: true; readonly file: SecretFile } | { readonly ok: false; readonly reason: string };

/**
 * The operator's default certificate from the snapshot (only kubernetes.io/tls Secrets are
 * cached), checked as any Ingress's TLS Secret is (nginx/certificates.ts). When it is missing or
 * unusable, the generated certificate is presented instead: clients refuse it as they would any
 * unknown name's, so nothing is served as trusted that should not be.
 */
export function defaultCertificate(cluster: ClusterSnapshot, ref: { readonly namespace: string; readonly name: string }): DefaultCertificate {
  const secret = cluster.secret(ref.namespace, ref.name);
  if (!secret) return { ok: false, reason: `Secret ${ref.namespace}/${ref.name} does not exist (or is not of type kubernetes.io/tls)` };
  const cert = certificateFromSecret(secret);
  return cert.ok ? cert : { ok: false, reason: `Secret ${ref.namespace}/${ref.name} ${cert.reason}` };
}

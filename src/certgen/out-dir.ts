import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileErrorMessage } from '../errors.js';
import type { StoredMaterial } from './inspect.js';
import type { NewMaterial } from './plan.js';

/**
 * File names of `--out-dir`: the ones a kubernetes.io/tls Secret and most TLS tools use, plus the
 * CA key and the retired-CA record, so renewals on disk reuse the CA and keep a rotated-out CA in
 * ca.crt exactly as the Secret mode does.
 */
export const OUT_FILES = Object.freeze({ ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key', caKey: 'ca.key', retired: 'retired-cas.json' });

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(fileErrorMessage('read', path, err));
  }
}

/** What a previous run left in `dir`, and its retired-CA record (JSON text, if any). */
export async function readOutDir(dir: string): Promise<{ stored: StoredMaterial; retired: string | undefined }> {
  const [ca, cert, key, caKey, retired] = await Promise.all([
    readIfPresent(join(dir, OUT_FILES.ca)),
    readIfPresent(join(dir, OUT_FILES.cert)),
    readIfPresent(join(dir, OUT_FILES.key)),
    readIfPresent(join(dir, OUT_FILES.caKey)),
    readIfPresent(join(dir, OUT_FILES.retired)),
  ]);
  return {
    stored: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(caKey ? { caKey } : {}) },
    retired,
  };
}

/** Writes through a temporary file and rename, so a reader never sees half a file and the mode holds from the start. */
async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode, flag: 'wx' });
    await chmod(tmp, mode); // writeFile's mode passes through the umask; the files' modes are part of the contract
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(fileErrorMessage('write', path, err));
  }
}

/**
 * Writes ca.crt first (so a reader of the bundle trusts the new issuer before it serves), then
 * ca.key (0600), tls.crt (0644), tls.key (0600) and the retired-CA record. A watcher that reads
 * between the cert and key renames sees a mismatched pair and refuses it (see CertReloader); its
 * next poll sees both.
 */
export async function writeOutDir(dir: string, material: NewMaterial, retired: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(fileErrorMessage('create', dir, err));
  }
  await writeAtomic(join(dir, OUT_FILES.ca), material.ca, 0o644);
  if (material.caKey) await writeAtomic(join(dir, OUT_FILES.caKey), material.caKey, 0o600);
  await writeAtomic(join(dir, OUT_FILES.cert), material.cert, 0o644);
  await writeAtomic(join(dir, OUT_FILES.key), material.key, 0o600);
  await writeAtomic(join(dir, OUT_FILES.retired), `${retired}\n`, 0o644);
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredMaterial } from './inspect.js';
import type { NewMaterial } from './plan.js';

/** File names of `--out-dir`, the ones a kubernetes.io/tls Secret and most TLS tools use. */
export const OUT_FILES = Object.freeze({ ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' });

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** What a previous run left in `dir` (no CA key is kept on disk: each renewal there mints a new CA). */
export async function readOutDir(dir: string): Promise<StoredMaterial> {
  const [ca, cert, key] = await Promise.all([
    readIfPresent(join(dir, OUT_FILES.ca)),
    readIfPresent(join(dir, OUT_FILES.cert)),
    readIfPresent(join(dir, OUT_FILES.key)),
  ]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
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
    throw new Error(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Writes ca.crt and tls.crt (0644) and tls.key (0600). A watcher that reads between the cert and
 * key renames sees a mismatched pair and refuses it (see CertReloader); its next poll sees both.
 */
export async function writeOutDir(dir: string, material: NewMaterial): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  await writeAtomic(join(dir, OUT_FILES.ca), material.ca, 0o644);
  await writeAtomic(join(dir, OUT_FILES.cert), material.cert, 0o644);
  await writeAtomic(join(dir, OUT_FILES.key), material.key, 0o600);
}

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * The executable `--nginx-binary` names (a path, or a name looked up on PATH as spawn does), or
 * an error saying what was looked for: without it the controller would only learn of a missing
 * nginx from `spawn ENOENT` after its first configuration "failed nginx -t".
 */
export function findNginxBinary(binary: string, path: string | undefined): { path: string } | { error: string } {
  const candidates = binary.includes('/') ? [binary] : (path ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return { path: isAbsolute(candidate) ? candidate : join(process.cwd(), candidate) };
    } catch {
      // not this one
    }
  }
  const where = binary.includes('/') ? 'is not an executable file' : `is not on PATH (${path ?? ''})`;
  return { error: `nginx binary ${JSON.stringify(binary)} ${where}: install Debian's nginx or pass --nginx-binary PATH` };
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODULE = join('lua', 'gatehouse', 'endpoints.lua');

/**
 * The `lua/` directory shipped with Gatehouse (the package root's, next to package.json), from
 * src/controller/ or its compiled dist/src/controller/; undefined when it is not there.
 */
export function gatehouseLuaDir(from: string = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, MODULE)) && existsSync(join(dir, 'package.json'))) return join(dir, 'lua');
    if (dirname(dir) === dir) return undefined;
  }
}

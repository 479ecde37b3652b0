import { describe, expect, test } from 'vitest';
import { MIN_NODE_MAJOR, nodeTooOld } from '../src/node-version.js';
import pkg from '../package.json' with { type: 'json' };
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('nodeTooOld', () => {
  test.for(['v20.20.2', 'v22.12.0', 'v23.11.1'])('refuses %s in one line that says what to do', (version) => {
    const message = nodeTooOld(version, '/usr/bin/node');
    expect(message).toContain(`needs Node.js ${MIN_NODE_MAJOR} or newer; this is ${version} (/usr/bin/node)`);
    expect(message).not.toContain('\n');
  });

  test.for(['v24.0.0', 'v24.21.0', 'v26.1.0'])('accepts %s', (version) => {
    expect(nodeTooOld(version, '/usr/bin/node')).toBeUndefined();
  });

  test('engines and .nvmrc state the same minimum', () => {
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
    expect(readFileSync(join(import.meta.dirname, '../.nvmrc'), 'utf8').trim()).toBe(String(MIN_NODE_MAJOR));
  });
});

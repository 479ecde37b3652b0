#!/usr/bin/env -S node --max-semi-space-size=4
// The `gatehouse` executable. It checks the Node.js version before importing anything else: an
// older Node would otherwise crash deep inside a dependency with a message about `bind` or
// `undefined` instead of saying what is wrong. Static imports run before any code, so the rest is
// imported dynamically (node-version.ts imports nothing).

import { nodeTooOld } from './node-version.js';

const tooOld = nodeTooOld(process.version, process.execPath);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}

const { main } = await import('./main.js');

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
  });
}

const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stopSignal: stopSignal(),
  env: process.env,
});
process.exit(code);

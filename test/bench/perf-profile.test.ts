import { expect, test } from 'vitest';
import { foldStacks } from '../../bench/perf-profile.js';

// The folding of `perf script` text (the recording itself needs perf and a loaded server: the
// profiler run, not a test).
test('foldStacks charges each sample once to every frame on its stack, tiers merged, per request', () => {
  const text = [
    'MainThread 100 1.000: 200 cpu-clock:',
    '\t7f00 Builtin:JsonParse+0x10 (/tmp/jitted-1.so)',
    "\t7f01 JS:*'parseJsonBody file:///x/dist/src/admission/parse-body.js:47:30+0x20 (/tmp/jitted-1.so)",
    "\t7f02 JS:+'route file:///x/dist/src/admission/routes.js:25:30+0x30 (/tmp/jitted-1.so)",
    '',
    'MainThread 100 1.001: 200 cpu-clock:',
    "\t7f03 JS:^'route file:///x/dist/src/admission/routes.js:25:30+0x40 (/tmp/jitted-1.so)",
    '',
    'V8Worker 101 1.002: 200 cpu-clock:',
    '\t7f04 v8::internal::Heap::CollectGarbage+0x5 (/usr/bin/node)',
    '',
  ].join('\n');
  const report = foldStacks(text, 1);
  // 4999 Hz: a sample is ~200 µs; three samples over one request.
  expect(report).toMatch(/600\.1 µs CPU\/request in 3 samples/);
  expect(report).toMatch(/400\.1 {2}JS:route src\/admission\/routes\.js:25:30/);
  expect(report).toMatch(/200\.0 {2}JS:parseJsonBody src\/admission\/parse-body\.js:47:30/);
  expect(report).toMatch(/400\.1 {2}THREAD MainThread/);
  expect(report).toMatch(/200\.0 {2}v8::internal::Heap::CollectGarbage/);
});

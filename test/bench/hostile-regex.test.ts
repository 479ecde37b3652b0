import { expect, test } from 'vitest';
import { benchHostileRegex, hostileRegexSection } from '../../bench/hostile-regex.js';

// Numbers are reported by `npm run bench`, not asserted here: this only checks the helper runs
// both configurations on real nginx and reports them.
test('benchHostileRegex measures the victim host alone and under attack, before and now', async () => {
  const result = await benchHostileRegex(1);
  expect(result.idle.rps).toBeGreaterThan(0);
  expect(result.before.p50).toBeGreaterThanOrEqual(0); // the victim may get no answer at all in 1 s
  expect(result.now.rps).toBeGreaterThan(0);
  expect(hostileRegexSection(result)).toContain('## Hostile regex path (issue 8)');
}, 60_000);

import { expect, test } from 'vitest';
import { benchCertgen } from '../../bench/certgen.js';

// Numbers are reported by `npm run bench`, not asserted here: this only checks the helper works.
test('benchCertgen times fresh issues and reports their median', async () => {
  const result = await benchCertgen(3);
  expect(result.runs).toBe(3);
  expect(result.medianMs).toBeGreaterThan(0);
});

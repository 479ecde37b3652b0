import { join } from 'node:path';
import { expect, test } from 'vitest';
import { benchWebhookMemory, deploymentSettings, snippetKeysReview, webhookMemorySection } from '../../bench/webhook-memory.js';
import { MAX_BODY_BYTES } from '../../src/admission/server.js';

const ROOT = join(import.meta.dirname, '../..');

// Numbers are reported by `npm run bench`, not asserted here: this only checks the helper starts
// the webhook as the Deployment does, runs every case on a sliver of the load and reports it.
test('benchWebhookMemory runs the hostile cases against a webhook process and reports its RSS', async () => {
  const result = await benchWebhookMemory({
    scale: 0.02,
    settleMs: 0,
    // The TypeScript sources, as test/commands/api-client-loading.test.ts runs them.
    node: { script: join(ROOT, 'src/cli.ts'), execArgv: ['--experimental-transform-types', '--no-warnings', '--import', join(ROOT, 'test/support/trace-api-client.mjs')] },
  });
  expect(result.cases.map((c) => c.name)).toEqual(['(a) regex paths', '(b) unfinished HTTP/2 bodies', '(c) slow HTTP/1.1', '(d) 150k snippet keys', '(e) 6,000 snippet keys']);
  for (const c of result.cases) expect(c.peakMiB).toBeGreaterThan(0);
  expect(result.cases[3]!.outcome).toContain('denied');
  expect(webhookMemorySection(result)).toContain('## Webhook memory under hostile input (issue 8)');
}, 90_000);

test('the Deployment gives the webhook an explicit V8 heap limit under its memory limit', async () => {
  const { memoryLimitMiB, env } = await deploymentSettings();
  expect(memoryLimitMiB).toBe(256);
  const heap = Number(/--max-old-space-size=(\d+)/.exec(env['NODE_OPTIONS'] ?? '')?.[1]);
  expect(heap).toBeGreaterThan(0);
  expect(heap).toBeLessThan(memoryLimitMiB);
});

test('the 150,000-key review fits the webhook body limit', () => {
  expect(Buffer.byteLength(snippetKeysReview())).toBeLessThanOrEqual(MAX_BODY_BYTES);
});

import { readFile, writeFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { formatMigrationHuman, formatMigrationJson } from '../../src/report/format-migration-report.js';
import type { MigrationReport } from '../../src/report/migration-report.js';

const P = 'nginx.ingress.kubernetes.io/';

/** A fixed report, written by hand so the golden file changes only when the format does. */
const REPORT: MigrationReport = {
  summary: { ingresses: 3, served: 1, servedIgnoring: 1, refused: 1, notOwned: 0, errors: 0 },
  ingresses: [
    {
      source: 'app.yaml',
      namespace: 'shop',
      name: 'web',
      outcome: 'served',
      annotations: [{ annotation: `${P}rewrite-target`, status: 'rendered', differs: 'the rewrite applies to the matched prefix only', findings: [] }],
      findings: [{ rule: 'deprecated-class-annotation', severity: 'warn', path: 'metadata.annotations[kubernetes.io/ingress.class]', message: 'deprecated since Kubernetes 1.18' }],
      audited: [],
    },
    {
      source: 'app.yaml',
      namespace: 'shop',
      name: 'tuned',
      outcome: 'served-ignoring',
      annotations: [
        { annotation: `${P}proxy-buffering`, status: 'ignored', reason: 'not-implemented', feature: 'proxy buffering', message: 'ignored: not implemented', findings: [] },
        { annotation: `${P}made-up`, status: 'unknown', reason: 'unknown', message: 'ignored: Gatehouse does not support this annotation', findings: [] },
      ],
      findings: [],
      audited: [],
    },
    {
      source: 'app.yaml',
      namespace: 'shop',
      name: 'locked',
      outcome: 'refused',
      annotations: [
        { annotation: `${P}auth-url`, status: 'refused', reason: 'not-implemented', feature: 'external authentication', message: 'not implemented yet', findings: [] },
        { annotation: `${P}server-snippet`, status: 'refused', reason: 'snippets-disabled', message: 'snippet annotations are disabled', findings: [] },
        { annotation: `${P}rewrite-target`, status: 'refused', reason: 'denied-by-rule', message: '[rewrite] no capture group 2', findings: [{ rule: 'rewrite', severity: 'warn', path: '', message: 'also a warning' }] },
      ],
      findings: [],
      audited: [],
    },
  ],
  errors: [],
  notes: ['no --snapshot'],
};

test('human output: one block per Ingress, each annotation with its status and reason, then the summary (golden)', async () => {
  // UPDATE_GOLDEN=1 npx vitest run test/report/format-migration-report.test.ts rewrites it; review the diff.
  const file = new URL('./golden/migration-report.txt', import.meta.url);
  const text = formatMigrationHuman(REPORT);
  if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(file, text);
  expect(text).toBe(await readFile(file, 'utf8'));
});

test('the summary names not-owned and malformed Ingresses only when there are some', () => {
  const text = formatMigrationHuman({ ...REPORT, ingresses: [], summary: { ...REPORT.summary, notOwned: 2, errors: 1 } });
  expect(text.trimEnd().split('\n').at(-1)).toBe(
    "migration report: 3 Ingress(es): 1 served as-is, 1 served with ignored annotations, 1 refused, 2 not Gatehouse's, 1 malformed",
  );
});

test('JSON output is the report itself', () => {
  expect(JSON.parse(formatMigrationJson(REPORT))).toEqual(REPORT);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { checkExitCode, runCheck } from '../../src/check/run-check.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS, type Rule } from '../../src/rules/types.js';

function fileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-run-check-')), 'in.yaml');
  writeFileSync(path, text);
  return path;
}

const INGRESS = (namespace?: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  ingressClassName: nginx
  rules: [{ host: a.example.com, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]
`;

const logger = pino({ level: 'silent' });

describe('runCheck: the webhook pipeline per object', () => {
  test('the request is a CREATE in the object\'s namespace, or "default"', async () => {
    const seen: string[] = [];
    const spy: Rule = { id: 'spy', doc: '', check: (ing, ctx) => (seen.push(`${ctx.operation} ${ing.metadata.namespace}`), []) };
    const result = await runCheck({ snapshotPaths: [], files: [fileWith(`${INGRESS()}---\n${INGRESS('shop')}`)], rules: [spy], options: DEFAULT_RULE_OPTIONS, logger });
    expect(seen).toEqual(['CREATE default', 'CREATE shop']);
    expect(result.reports.map((r) => `${r.namespace}/${r.name}`)).toEqual(['default/web', 'shop/web']);
  });

  test('a rule that throws is an error report (exit 2), not a crash of check', async () => {
    const broken: Rule = { id: 'broken', doc: '', check: () => { throw new TypeError('boom'); } };
    const result = await runCheck({ snapshotPaths: [], files: [fileWith(INGRESS())], rules: [...RULES, broken], options: DEFAULT_RULE_OPTIONS, logger });
    expect(result.reports[0]).toMatchObject({ allowed: false, error: 500 });
    expect(checkExitCode(result)).toBe(2);
  });
});

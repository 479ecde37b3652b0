// The migration report over Ingresses as operators write them for ingress-nginx: the corpus that
// reproduces the annotations of ingress-nginx's documented examples
// (test/fixtures/ingress-nginx-examples) and the seed manifests (test/fixtures/seed-manifests).
// Expectations that change as features land are read from the catalog.
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { controllerSupport, NGINX_ANNOTATION_PREFIX } from '../../src/annotations/catalog.js';
import { runCheck } from '../../src/check/run-check.js';
import { migrationReport, type MigrationIngress, type MigrationReport } from '../../src/report/migration-report.js';
import { RULES } from '../../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/types.js';
import { runCli } from '../support/run-cli.js';

const CORPUS = 'test/fixtures/ingress-nginx-examples';
const SEEDS = 'test/fixtures/seed-manifests';
const CORPUS_FILES = ['affinity-cookie', 'annotations-doc', 'auth', 'canary', 'chashsubset', 'configuration-snippet', 'docker-registry', 'grpc', 'rewrite'];
const P = NGINX_ANNOTATION_PREFIX;

async function reportOn(path: string): Promise<MigrationReport> {
  const result = await runCheck({ snapshotPaths: [], files: [path], rules: RULES, options: DEFAULT_RULE_OPTIONS, logger: pino({ level: 'silent' }) });
  return migrationReport(result, DEFAULT_RULE_OPTIONS);
}

/** The nginx annotations of every Ingress in the corpus, by namespace/name, read straight from the YAML. */
async function corpusAnnotations(): Promise<Map<string, string[]>> {
  const byIngress = new Map<string, string[]>();
  for (const file of CORPUS_FILES) {
    for (const doc of parseAllDocuments(await readFile(`${CORPUS}/${file}.yaml`, 'utf8'))) {
      const o = doc.toJS() as { kind?: string; metadata: { namespace: string; name: string; annotations?: Record<string, string> } } | null;
      if (o?.kind !== 'Ingress') continue;
      byIngress.set(`${o.metadata.namespace}/${o.metadata.name}`, Object.keys(o.metadata.annotations ?? {}).filter((k) => k.startsWith(P)));
    }
  }
  return byIngress;
}

function byName(report: MigrationReport): Map<string, MigrationIngress> {
  return new Map(report.ingresses.map((i) => [`${i.namespace}/${i.name}`, i]));
}

const support = (key: string) => controllerSupport(key.slice(P.length));

describe('migration report over the ingress-nginx documentation examples', async () => {
  const report = await reportOn(CORPUS);
  const ingresses = byName(report);

  test('every Ingress of the corpus is reported, and every annotation of it once, with a status', async () => {
    const expected = await corpusAnnotations();
    expect([...ingresses.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, annotations] of expected) {
      const reported = ingresses.get(key)!.annotations;
      expect(reported.map((a) => a.annotation), key).toEqual(annotations);
      for (const a of reported) expect(['rendered', 'refused', 'ignored', 'unknown'], a.annotation).toContain(a.status);
    }
  });

  test('no documented ingress-nginx annotation is reported unknown', () => {
    const unknown = report.ingresses.flatMap((i) => i.annotations.filter((a) => a.status === 'unknown').map((a) => a.annotation));
    expect(unknown).toEqual([]);
  });

  test('each status agrees with the catalog: refused features refused, ignored ones never rendered, rendered ones refused only for their value or a rule', () => {
    for (const a of report.ingresses.flatMap((i) => i.annotations)) {
      const controller = support(a.annotation)?.controller;
      if (controller === 'refuses') expect(a, a.annotation).toMatchObject({ status: 'refused', reason: expect.stringMatching(/^(not-implemented|snippets-disabled)$/) });
      if (controller === 'ignores') expect(['ignored', 'refused'], a.annotation).toContain(a.status);
      if (controller === 'renders' && a.status === 'refused') expect(['invalid-value', 'risk-level', 'denied-by-rule'], a.annotation).toContain(a.reason);
      if (a.status !== 'rendered') expect(a.message, a.annotation).toBeTruthy();
      if (support(a.annotation)?.differs !== undefined) expect(a.differs).toBe(support(a.annotation)?.differs);
    }
  });

  test('an Ingress is refused exactly when one of its annotations is (the corpus has no other problem), served as-is when all render', () => {
    for (const i of report.ingresses) {
      const statuses = i.annotations.map((a) => a.status);
      const expected = statuses.includes('refused') ? 'refused' : statuses.every((s) => s === 'rendered') ? 'served' : 'served-ignoring';
      expect(i.outcome, `${i.namespace}/${i.name}`).toBe(expected);
    }
  });

  test('the canary example is refused while canary is not rendered; its production Ingress is served', () => {
    const canaryRendered = support(`${P}canary`)?.controller === 'renders';
    expect(ingresses.get('examples/canary')?.outcome).toBe(canaryRendered ? 'served' : 'refused');
    if (!canaryRendered) expect(ingresses.get('examples/canary')?.annotations[0]).toMatchObject({ annotation: `${P}canary`, reason: 'not-implemented' });
    expect(ingresses.get('examples/production')?.outcome).toBe('served');
  });

  test('the authentication examples are refused while authentication is not rendered, never served without it', () => {
    for (const name of ['auth-basic', 'auth-client-certs', 'auth-external', 'auth-oauth2-proxy', 'auth-response-headers']) {
      const i = ingresses.get(`examples/${name}`)!;
      const rendered = i.annotations.every((a) => support(a.annotation)?.controller === 'renders');
      expect(i.outcome, name).toBe(rendered ? i.outcome : 'refused');
    }
  });

  test('the snippet examples are refused with snippets disabled (the default flags)', () => {
    expect(ingresses.get('examples/configuration-snippet')?.annotations).toMatchObject([{ status: 'refused', reason: 'snippets-disabled' }]);
    expect(ingresses.get('docs/server-snippet')?.outcome).toBe('refused');
  });

  test.for(['examples/docker-registry', 'examples/grpc', 'examples/rewrite', 'examples/approot', 'examples/affinity-cookie', 'docs/permanent-redirect'])(
    '%s is served as-is: every annotation it uses is rendered',
    (key) => {
      expect(ingresses.get(key)?.outcome).toBe('served');
    },
  );

  test('the summary adds up', () => {
    const { summary } = report;
    expect(summary.ingresses).toBe(ingresses.size);
    expect(summary.served + summary.servedIgnoring + summary.refused + summary.notOwned + summary.errors).toBe(summary.ingresses);
    expect(summary.notOwned).toBe(0);
    expect(summary.errors).toBe(0);
  });
});

describe('migration report over the seed manifests', async () => {
  const report = await reportOn(SEEDS);
  const ingresses = byName(report);

  test('the flink rewrite (legacy and v1) is served: rewrite-target on a regex path is rendered', () => {
    for (const name of ['flink/submodule-checker-ingress-flink', 'flink/submodule-checker-ingress-flink-v1']) {
      const i = ingresses.get(name)!;
      expect(i.outcome, name).toBe('served');
      expect(i.annotations.map((a) => [a.annotation, a.status])).toEqual([[`${P}rewrite-target`, 'rendered']]);
      // The class annotation is not an nginx annotation: it stays among the Ingress's findings.
      expect(i.findings.map((f) => f.rule)).toContain('deprecated-class-annotation');
    }
  });

  test('the Ingress without a class is not Gatehouse\'s; the others are served as-is', () => {
    expect(ingresses.get('default/example-ingress')?.outcome).toBe('not-owned');
    expect(report.summary).toEqual({ ingresses: 5, served: 4, servedIgnoring: 0, refused: 0, notOwned: 1, errors: 0 });
  });
});

describe('gatehouse check --migration-report', () => {
  test('JSON has the documented shape; the corpus exits 1 while it holds a refused Ingress', async () => {
    const run = runCli(['check', '--migration-report', '--output', 'json', CORPUS]);
    const code = await run.code;
    const out = JSON.parse(run.stdout()) as MigrationReport;
    expect(Object.keys(out).sort()).toEqual(['errors', 'ingresses', 'notes', 'summary']);
    expect(Object.keys(out.summary).sort()).toEqual(['errors', 'ingresses', 'notOwned', 'refused', 'served', 'servedIgnoring']);
    for (const i of out.ingresses) {
      expect(Object.keys(i).sort()).toEqual(['annotations', 'audited', 'findings', 'name', 'namespace', 'outcome', 'source']);
      for (const a of i.annotations) {
        expect(['annotation', 'status', 'findings'].every((k) => k in a)).toBe(true);
        expect(Object.keys(a).every((k) => ['annotation', 'status', 'reason', 'feature', 'message', 'differs', 'findings'].includes(k))).toBe(true);
      }
    }
    expect(code).toBe(out.summary.refused > 0 ? 1 : 0);
  });

  test('the seed manifests exit 0; human output ends with the summary', async () => {
    const run = runCli(['check', '--migration-report', SEEDS]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('flink/submodule-checker-ingress-flink-v1 (test/fixtures/seed-manifests/flink-rewrite.yaml): served as-is\n  rendered nginx.ingress.kubernetes.io/rewrite-target\n');
    expect(run.stdout().trimEnd().split('\n').at(-1)).toBe("migration report: 5 Ingress(es): 4 served as-is, 0 served with ignored annotations, 0 refused, 1 not Gatehouse's");
  });

  test('without the flag, check prints its usual verdicts', async () => {
    const run = runCli(['check', SEEDS]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).not.toContain('migration report');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const SEEDS = join(ROOT, 'test/fixtures/seed-manifests');
const EXAMPLES = join(ROOT, 'examples');
const FIXTURES = join(import.meta.dirname, '../fixtures/manifests');

describe('gatehouse check', () => {
  test('passes the virtual-hosts example with no findings', async () => {
    const run = runCli(['check', join(SEEDS, 'virtual-hosts.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('default/name-virtual-host-ingress');
    expect(run.stdout()).toContain('1 Ingress(es), 1 checked, 0 denied');
  });

  test('converts the class annotation of the kubia example and warns, exit 0', async () => {
    const run = runCli(['check', '--snapshot', join(FIXTURES, 'nginx-class.yaml'), join(SEEDS, 'kubia.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('patch: [{"op":"add","path":"/spec/ingressClassName","value":"nginx"}');
    expect(run.stdout()).toContain('/metadata/annotations/kubernetes.io~1ingress.class');
  });

  test('accepts the flink rewrite: /$2 on /app(/|$)(.*), in both API versions', async () => {
    const run = runCli(['check', '--output', 'json', '--snapshot', join(FIXTURES, 'nginx-class.yaml'), join(SEEDS, 'flink-rewrite.yaml')]);
    const out = JSON.parse(run.stdout() || (await run.code, run.stdout()));
    expect(await run.code).toBe(0);
    expect(out.ingresses).toHaveLength(2);
    for (const ing of out.ingresses) expect(ing.findings.filter((f: { severity: string }) => f.severity === 'deny')).toEqual([]);
  });

  test('denies the broken example with every problem, exit 1', async () => {
    const run = runCli(['check', '--snapshot', join(EXAMPLES, 'snapshot'), join(FIXTURES, 'broken.yaml')]);
    expect(await run.code).toBe(1);
    const out = run.stdout();
    expect(out).toContain('shop/checkout');
    expect(out).toContain('denied');
    expect(out).toMatch(/DENY {2}\[backend-port\] spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port\.number: .*no port 8080 \(ports: 80\/http, 443\/https\)/);
    expect(out).toMatch(/DENY {2}\[backend-service\] .*an Ingress can only reach Services in its own namespace/);
    expect(out).toMatch(/DENY {2}\[rewrite\]/);
    expect(out).toMatch(/DENY {2}\[annotations\] metadata\.annotations\[nginx\.ingress\.kubernetes\.io\/proxy-body-size\]/);
    // rewrite-target makes every path of it a regex: its "/" is the regex ^/, not the route of
    // storefront's Prefix "/" (the controller serves both, k8s/ingress-route.ts), so no
    // host-path-conflict; host-ownership warns that the regex is tried first.
    expect(out).not.toContain('[host-path-conflict]');
    expect(out).toMatch(/warn {2}\[host-ownership\] spec\.rules\[0\]\.http\.paths\[2\]\.path: regex path .*shop\/storefront/);
  });

  test('--mode audit: the same problems are listed as audit lines and nothing is denied, exit 0', async () => {
    const run = runCli(['check', '--mode', 'audit', '--snapshot', join(EXAMPLES, 'snapshot'), join(FIXTURES, 'broken.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('  audit [backend-port] spec.rules[0].http.paths[0].backend.service.port.number: ');
    expect(run.stdout()).not.toContain('DENY');
    expect(run.stdout()).toContain('1 Ingress(es), 1 checked, 0 denied');
  });

  test('--output json gives a stable shape', async () => {
    const run = runCli(['check', '--output', 'json', '--snapshot', join(EXAMPLES, 'snapshot'), join(FIXTURES, 'broken.yaml')]);
    expect(await run.code).toBe(1);
    const out = JSON.parse(run.stdout());
    expect(out.denied).toBe(1);
    expect(out.ingresses[0]).toMatchObject({ namespace: 'shop', name: 'checkout', owned: true, allowed: false });
    expect(out.ingresses[0].findings[0]).toHaveProperty('rule');
    expect(out.ingresses[0].findings[0]).toHaveProperty('path');
  });

  test('skips Ingresses of other classes', async () => {
    const run = runCli(['check', join(FIXTURES, 'other-class.yaml')]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain('skipped (not a Gatehouse Ingress)');
  });

  test('exits 2 on a file that is not YAML', async () => {
    const run = runCli(['check', join(FIXTURES, 'not-yaml.txt')]);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain('not-yaml.txt');
  });

  test('exits 2 on a missing file', async () => {
    const run = runCli(['check', join(FIXTURES, 'missing.yaml')]);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain('ENOENT');
  });
});

/** A temporary file holding `text`, for inputs too odd to keep as fixtures. */
function fileWith(name: string, text: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-check-')), name);
  writeFileSync(path, text);
  return path;
}

const INGRESS = (spec: string, name = 'web') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
spec:
  ingressClassName: nginx
${spec}`;
const ONE_PATH = (pathType: string) => `  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: ${pathType}
            backend: { service: { name: web, port: { number: 80 } } }
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { ports: [{ name: http, port: 80 }] }
`;

describe('gatehouse check: input that is not what it seems', () => {
  test('a malformed Ingress (spec.rules: "not-a-list") is a 400-style finding, exit 2, not a rule crash', async () => {
    const run = runCli(['check', fileWith('bad.yaml', INGRESS('  rules: not-a-list\n'))]);
    expect(await run.code).toBe(2);
    expect(run.stdout()).toContain('default/web (');
    expect(run.stdout()).toContain('): malformed');
    expect(run.stdout()).toContain('DENY  [malformed] spec.rules: must be a list, not a string');
    expect(run.stderr()).not.toContain('TypeError');
  });

  test('--output json marks the malformed Ingress with error 400', async () => {
    const run = runCli(['check', '--output', 'json', fileWith('bad.yaml', INGRESS('  rules: not-a-list\n'))]);
    expect(await run.code).toBe(2);
    expect(JSON.parse(run.stdout()).ingresses[0]).toMatchObject({ name: 'web', allowed: false, error: 400, findings: [{ rule: 'malformed', path: 'spec.rules' }] });
  });

  test('pathType: prefix (wrong case) is denied on the pathType field', async () => {
    const run = runCli(['check', fileWith('web.yaml', `${SERVICE}---\n${INGRESS(ONE_PATH('prefix'))}`)]);
    expect(await run.code).toBe(1);
    expect(run.stdout()).toContain(
      'DENY  [path] spec.rules[0].http.paths[0].pathType: unsupported value "prefix": must be one of "Exact", "Prefix", "ImplementationSpecific" (did you mean "Prefix"?)',
    );
  });

  test.for<[string, string, string, string]>([
    ['an AdmissionReview', 'review.json', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x' } }), 'an AdmissionReview, not a manifest'],
    ['kind: Ingres', 'typo.yaml', INGRESS(ONE_PATH('Prefix')).replace('kind: Ingress', 'kind: Ingres'), 'kind "Ingres" is not a kind the API server knows; did you mean "Ingress"?'],
    ['an Ingress of an unserved apiVersion', 'v2.yaml', INGRESS(ONE_PATH('Prefix')).replace('networking.k8s.io/v1', 'networking.k8s.io/v2'), 'Ingress with apiVersion "networking.k8s.io/v2"'],
    ['a YAML map that is no object', 'values.yaml', 'replicas: 3\nimage: web\n', 'not a Kubernetes object: every manifest needs apiVersion and kind'],
  ])('%s: names the file and the problem, exit 2', async ([, name, text, message]) => {
    const file = fileWith(name, text);
    const run = runCli(['check', file]);
    expect(await run.code).toBe(2);
    expect(run.stdout()).toContain(`${file}: error: ${message}`);
  });

  test.for<[string, string, string | Buffer, string]>([
    ['a README', 'README.md', '# Gatehouse\n\nAn admission webhook for Ingresses.\n', 'not a Kubernetes manifest (a YAML document that is plain text, not a mapping)'],
    ['a binary file', 'image.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'a binary file, not YAML or JSON'],
    ['a Helm template', 'ingress.yaml', INGRESS(ONE_PATH('Prefix'), '{{ .Release.Name }}'), ':4: a Helm/Go template, not a manifest: render it first'],
    ['a Helm template with control blocks', 'ingress.yaml', `{{- if .Values.ingress.enabled }}\n${INGRESS(ONE_PATH('Prefix'))}{{- end }}\n`, 'a Helm/Go template, not a manifest'],
  ])('%s: exit 2 with the file named, never "0 Ingress(es)"', async ([, name, content, message]) => {
    const file = fileWith(name, content);
    const run = runCli(['check', file]);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain(file);
    expect(run.stderr()).toContain(message);
    expect(run.stdout()).not.toContain('[object Object]');
  });

  test('"{{" inside a quoted value is not a template', async () => {
    const text = `${SERVICE}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: alerts }\ndata:\n  summary: "{{ $labels.instance }} is down"\n---\n${INGRESS(ONE_PATH('Prefix'))}`;
    const run = runCli(['check', fileWith('web.yaml', text)]);
    expect(await run.code).toBe(0);
  });

  test('files without any Ingress: each is named, and a run that checked nothing exits 2', async () => {
    const file = fileWith('svc.yaml', SERVICE);
    const run = runCli(['check', file]);
    expect(await run.code).toBe(2);
    expect(run.stdout()).toContain(`${file}: no Ingress (holds Service)`);
    expect(run.stdout()).toContain('error: no Ingress found in FILEs, nothing was checked');
  });

  test('a file without Ingress beside one with an Ingress is named, and does not change the verdict', async () => {
    const svc = fileWith('svc.yaml', SERVICE);
    const run = runCli(['check', svc, fileWith('web.yaml', INGRESS(ONE_PATH('Prefix')))]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain(`${svc}: no Ingress (holds Service)`);
    expect(run.stdout()).toContain('1 Ingress(es), 1 checked, 0 denied');
  });

  test('without --snapshot, says once that cluster checks were skipped', async () => {
    const run = runCli(['check', fileWith('web.yaml', `${INGRESS(ONE_PATH('Prefix'))}---\n${INGRESS(ONE_PATH('Exact'), 'api')}`)]);
    expect(await run.code).toBe(0);
    const notes = run.stdout().split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('no --snapshot');
    expect(notes[0]).toContain('checks that need Service, Secret, IngressClass objects were skipped');
  });

  test('with a snapshot, the note names only the kinds it lacks', async () => {
    const run = runCli(['check', '--output', 'json', '--snapshot', join(EXAMPLES, 'snapshot'), join(FIXTURES, 'broken.yaml')]);
    expect(await run.code).toBe(1);
    expect(JSON.parse(run.stdout()).notes).toEqual(['checks that need Secret objects were skipped (none in the snapshot or FILEs)']);
  });
});

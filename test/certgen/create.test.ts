import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCertgenCreate, MAX_ATTEMPTS, type CertgenDeps } from '../../src/certgen/create.js';
import { splitPemCertificates } from '../../src/certgen/pem.js';
import { RETIRED_CAS_ANNOTATION } from '../../src/certgen/plan.js';
import type { FakeKubeApi } from '../support/fake-kube-api.js';
import { HOSTS, NAMESPACE, SECRET, SECRET_PATH, T0, at, captureLogger, createOptions, entry, secretOf, startApi, writes, DAY } from './harness.js';

let api: FakeKubeApi;
let log: ReturnType<typeof captureLogger>;

beforeEach(async () => {
  api = await startApi();
  log = captureLogger();
});
afterEach(() => api.close());

function deps(now = T0): CertgenDeps {
  return { kubeConfig: api.kubeconfig(), logger: log.logger, now: () => now, sleep: async () => {} };
}

const caFingerprints = (bundle: string) => splitPemCertificates(bundle).map((b) => new X509Certificate(b).fingerprint256);

describe('runCertgenCreate into a Secret', () => {
  test('creates an Opaque Secret with the kube-webhook-certgen keys plus the CA key', async () => {
    const result = await runCertgenCreate(createOptions(), deps());
    expect(result).toEqual({ changed: true, message: expect.stringMatching(/^Secret gatehouse\/gatehouse-webhook-tls created: issued a new CA/) });
    const secret = secretOf(api);
    expect(secret?.type).toBe('Opaque');
    expect(Object.keys(secret!.data).sort()).toEqual(['ca', 'ca-key', 'cert', 'key']);
    const cert = new X509Certificate(entry(secret, 'cert'));
    expect(cert.checkIssued(new X509Certificate(entry(secret, 'ca')))).toBe(true);
    for (const host of HOSTS) expect(cert.checkHost(host)).toBe(host);
  });

  test('uses the key names it is given', async () => {
    await runCertgenCreate(createOptions({ certName: 'tls.crt', keyName: 'tls.key', caName: 'ca.crt', caKeyName: 'ca.key' }), deps());
    expect(Object.keys(secretOf(api)!.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  });

  test('changes nothing and says so when the Secret is still good', async () => {
    await runCertgenCreate(createOptions(), deps());
    const before = secretOf(api)!.metadata.resourceVersion;
    const result = await runCertgenCreate(createOptions(), deps(at(100)));
    expect(result).toEqual({ changed: false, message: expect.stringMatching(/^Secret gatehouse\/gatehouse-webhook-tls: certificate valid until .*: nothing to do$/) });
    expect(writes(api)).toEqual([`POST /api/v1/namespaces/${NAMESPACE}/secrets`]);
    expect(secretOf(api)!.metadata.resourceVersion).toBe(before);
  });

  test('renews the serving certificate inside the renewal window, keeping the CA', async () => {
    await runCertgenCreate(createOptions(), deps());
    const first = secretOf(api);
    const result = await runCertgenCreate(createOptions(), deps(at(340)));
    expect(result.message).toMatch(/updated: issued a new serving certificate \(.*renewal window.*\) from the existing CA$/);
    const renewed = secretOf(api);
    expect(entry(renewed, 'ca')).toBe(entry(first, 'ca'));
    expect(entry(renewed, 'cert')).not.toBe(entry(first, 'cert'));
    expect(writes(api)).toEqual([`POST /api/v1/namespaces/${NAMESPACE}/secrets`, `PUT ${SECRET_PATH}`]);
  });

  test('rotating the CA keeps the old CA in the bundle until the old certificate would expire', async () => {
    // A 400-day CA cannot outlive a 365-day certificate issued at day 340: the renewal rotates it.
    const opts = createOptions({ caValidityMs: 400 * DAY });
    await runCertgenCreate(opts, deps());
    const first = secretOf(api);
    const oldCa = new X509Certificate(entry(first, 'ca')).fingerprint256;
    const oldCertNotAfter = new Date(new X509Certificate(entry(first, 'cert')).validTo).toISOString();

    const result = await runCertgenCreate(opts, deps(at(340)));
    expect(result.message).toMatch(/issued a new CA \(the CA expires .*\) and serving certificate .*1 previous CA\(s\) stay in the bundle until /);
    const rotated = secretOf(api);
    const bundle = caFingerprints(entry(rotated, 'ca'));
    expect(bundle).toHaveLength(2);
    expect(bundle[1]).toBe(oldCa);
    expect(JSON.parse(rotated!.metadata.annotations![RETIRED_CAS_ANNOTATION]!)).toEqual({ [oldCa]: oldCertNotAfter });
    expect(new X509Certificate(entry(rotated, 'cert')).checkIssued(new X509Certificate(splitPemCertificates(entry(rotated, 'ca'))[0]!))).toBe(true);

    // After the old certificate's expiry the old CA leaves the bundle and the annotation goes.
    const pruned = await runCertgenCreate(opts, deps(at(370)));
    expect(pruned.message).toMatch(/dropped 1 retired CA/);
    expect(caFingerprints(entry(secretOf(api), 'ca'))).toEqual([bundle[0]]);
    expect(secretOf(api)!.metadata.annotations?.[RETIRED_CAS_ANNOTATION]).toBeUndefined();
  });

  test('re-issues when a host is added', async () => {
    await runCertgenCreate(createOptions(), deps());
    const result = await runCertgenCreate(createOptions({ hosts: [...HOSTS, '10.96.0.10'] }), deps(at(1)));
    expect(result.message).toMatch(/does not cover host 10\.96\.0\.10\) from the existing CA/);
    expect(new X509Certificate(entry(secretOf(api), 'cert')).checkIP('10.96.0.10')).toBe('10.96.0.10');
  });

  test('repairs a Secret whose key does not match its certificate', async () => {
    await runCertgenCreate(createOptions(), deps());
    const broken = secretOf(api)!;
    api.upsert({ apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET, namespace: NAMESPACE }, type: 'Opaque', data: { ...broken.data, key: broken.data['ca-key'] } });
    const result = await runCertgenCreate(createOptions(), deps(at(1)));
    expect(result.message).toMatch(/serving private key does not match the certificate/);
  });

  test('keeps labels and data keys it does not own', async () => {
    api.upsert({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: SECRET, namespace: NAMESPACE, labels: { team: 'platform' } },
      type: 'Opaque',
      data: { other: Buffer.from('keep me').toString('base64') },
    });
    await runCertgenCreate(createOptions(), deps());
    const secret = secretOf(api);
    expect(secret!.metadata.labels).toEqual({ team: 'platform', 'app.kubernetes.io/managed-by': 'gatehouse-certgen' });
    expect(entry(secret, 'other')).toBe('keep me');
  });

  test('retries an update that hits a 409 conflict', async () => {
    await runCertgenCreate(createOptions(), deps());
    api.failNext({ method: 'PUT', path: SECRET_PATH }, 409);
    const result = await runCertgenCreate(createOptions(), deps(at(340)));
    expect(result.changed).toBe(true);
    const puts = api.requestsMatching({ method: 'PUT', path: SECRET_PATH }).map((r) => r.status);
    expect(puts).toEqual([409, 200]);
  });

  test('retries a create refused with 409 AlreadyExists after reading again', async () => {
    api.failNext({ method: 'POST', path: `/api/v1/namespaces/${NAMESPACE}/secrets` }, 409);
    const result = await runCertgenCreate(createOptions(), deps());
    expect(result.changed).toBe(true);
    expect(api.requestsMatching({ method: 'POST' }).map((r) => r.status)).toEqual([409, 201]);
    expect(api.requestsMatching({ method: 'GET', path: SECRET_PATH })).toHaveLength(2);
  });

  test(`gives up after ${MAX_ATTEMPTS} conflicting attempts with a one-line reason`, async () => {
    await runCertgenCreate(createOptions(), deps());
    api.failNext({ method: 'PUT', path: SECRET_PATH }, 409, MAX_ATTEMPTS);
    await expect(runCertgenCreate(createOptions(), deps(at(340)))).rejects.toThrow(/^cannot update Secret gatehouse\/gatehouse-webhook-tls: HTTP 409: injected failure 409$/);
  });

  test('fails with a clear reason when the namespace does not exist', async () => {
    await expect(runCertgenCreate(createOptions({ namespace: 'nowhere' }), deps())).rejects.toThrow(
      'cannot create Secret nowhere/gatehouse-webhook-tls: namespace nowhere does not exist',
    );
  });

  test('fails with a clear reason when the Secret cannot be read', async () => {
    api.failNext({ method: 'GET', path: SECRET_PATH }, 403);
    await expect(runCertgenCreate(createOptions(), deps())).rejects.toThrow(/^cannot read Secret gatehouse\/gatehouse-webhook-tls: HTTP 403/);
  });

  test('never logs key material', async () => {
    await runCertgenCreate(createOptions(), deps());
    await runCertgenCreate(createOptions(), deps(at(340)));
    const secret = secretOf(api)!;
    const text = log.lines.join('');
    expect(log.lines.length).toBeGreaterThan(0);
    expect(text).not.toContain('PRIVATE KEY');
    for (const key of ['key', 'ca-key']) expect(text).not.toContain(secret.data[key]!.slice(0, 40));
  });
});

describe('runCertgenCreate --out-dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-outdir-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const outOpts = () => createOptions({ namespace: undefined, secretName: undefined, outDir: join(dir, 'certs'), hosts: ['localhost', '127.0.0.1'] });

  test('writes ca.crt, tls.crt and tls.key, the key readable by its owner only', async () => {
    const result = await runCertgenCreate(outOpts(), deps());
    expect(result.changed).toBe(true);
    const certs = join(dir, 'certs');
    expect((await stat(join(certs, 'tls.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(certs, 'tls.crt'))).mode & 0o777).toBe(0o644);
    const cert = new X509Certificate(await readFile(join(certs, 'tls.crt'), 'utf8'));
    expect(cert.checkIssued(new X509Certificate(await readFile(join(certs, 'ca.crt'), 'utf8')))).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  test('leaves valid files alone', async () => {
    await runCertgenCreate(outOpts(), deps());
    const before = await readFile(join(dir, 'certs', 'tls.crt'), 'utf8');
    const result = await runCertgenCreate(outOpts(), deps(at(10)));
    expect(result).toEqual({ changed: false, message: expect.stringMatching(/certs: certificate valid until .*: nothing to do$/) });
    expect(await readFile(join(dir, 'certs', 'tls.crt'), 'utf8')).toBe(before);
  });

  test('replaces files that do not hold a usable pair', async () => {
    await runCertgenCreate(outOpts(), deps());
    await writeFile(join(dir, 'certs', 'tls.key'), 'garbage');
    const result = await runCertgenCreate(outOpts(), deps(at(1)));
    expect(result.message).toMatch(/no readable serving private key/);
  });

  test('needs no cluster', async () => {
    const result = await runCertgenCreate(outOpts(), { logger: log.logger });
    expect(result.changed).toBe(true);
  });
});

describe('runCertgenCreate option checks', () => {
  test.for([
    ['no host', { hosts: [] }, /--host needs at least one/],
    ['a host that is no DNS name', { hosts: ['gatehouse webhook'] }, /--host: "gatehouse webhook" is neither an IP address nor a DNS name/],
    ['a wildcard host', { hosts: ['*.gatehouse.svc'] }, /--host: "\*\.gatehouse\.svc" is neither/],
    ['no namespace', { namespace: undefined }, /--namespace and --secret-name are required/],
    ['out-dir with a Secret', { outDir: '/tmp/x' }, /cannot be combined/],
    ['a certificate outliving its CA', { certValidityMs: 20 * 365 * DAY }, /--cert-validity must not exceed --ca-validity/],
    ['a renewal window as long as the certificate', { renewBeforeMs: 365 * DAY }, /--renew-before must be shorter/],
    ['two entries under one key', { caKeyName: 'key' }, /must differ/],
  ] as const)('refuses %s', async ([, extra, reason]) => {
    await expect(runCertgenCreate(createOptions(extra), deps())).rejects.toThrow(reason);
  });
});

import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runCertgenCreate, MAX_ATTEMPTS, type CertgenDeps } from '../../src/certgen/create.js';
import { splitPemCertificates } from '../../src/certgen/pem.js';
import { RETIRED_CAS_ANNOTATION } from '../../src/certgen/plan.js';
import { loadKubeConfig } from '../../src/k8s/client.js';
import { kubeAssets } from '../support/kube-cluster.js';
import { CertgenCluster, HOSTS, SECRET, T0, at, captureLogger, createOptions, entry, secretPath, DAY, type StoredSecret } from './harness.js';
import { racingKubeConfig } from './racing-kube-config.js';

const assets = kubeAssets();

let log: ReturnType<typeof captureLogger>;
beforeEach(() => {
  log = captureLogger();
});

const caFingerprints = (bundle: string) => splitPemCertificates(bundle).map((b) => new X509Certificate(b).fingerprint256);

describe.skipIf(!assets)('runCertgenCreate into a Secret, on a real API server', () => {
  let cluster: CertgenCluster;
  let ns: string;
  beforeAll(async () => {
    cluster = await CertgenCluster.start(assets!);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);
  beforeEach(async () => {
    ns = await cluster.namespace();
  });

  function deps(now = T0, kubeConfig: KubeConfig = cluster.kubeConfig()): CertgenDeps {
    return { kubeConfig, logger: log.logger, now: () => now, sleep: async () => {} };
  }
  const stored = async () => (await cluster.secret(ns))!;
  /** Another writer's change to the Secret: an annotation, leaving certgen's keys alone. */
  const touchSecret = (n: number) =>
    cluster.edit(secretPath(ns), (s: StoredSecret) => (s.metadata.annotations = { ...s.metadata.annotations, 'example.com/touched': String(n) }));

  test('creates an Opaque Secret with the kube-webhook-certgen keys plus the CA key', async () => {
    const result = await runCertgenCreate(createOptions(ns), deps());
    expect(result).toEqual({ changed: true, message: expect.stringMatching(new RegExp(`^Secret ${ns}/gatehouse-webhook-tls created: issued a new CA`)) });
    const secret = await stored();
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.data).sort()).toEqual(['ca', 'ca-key', 'cert', 'key']);
    const cert = new X509Certificate(entry(secret, 'cert'));
    expect(cert.checkIssued(new X509Certificate(entry(secret, 'ca')))).toBe(true);
    for (const host of HOSTS) expect(cert.checkHost(host)).toBe(host);
  });

  test('uses the key names it is given', async () => {
    await runCertgenCreate(createOptions(ns, { certName: 'tls.crt', keyName: 'tls.key', caName: 'ca.crt', caKeyName: 'ca.key' }), deps());
    expect(Object.keys((await stored()).data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  });

  test('changes nothing and says so when the Secret is still good', async () => {
    const mark = await cluster.mark();
    await runCertgenCreate(createOptions(ns), deps());
    const before = (await stored()).metadata.resourceVersion;
    const result = await runCertgenCreate(createOptions(ns), deps(at(100)));
    expect(result).toEqual({ changed: false, message: expect.stringMatching(new RegExp(`^Secret ${ns}/gatehouse-webhook-tls: certificate valid until .*: nothing to do$`)) });
    expect(await cluster.writes(mark)).toEqual([`create secrets/${SECRET} 201`]);
    expect((await stored()).metadata.resourceVersion).toBe(before);
  });

  test('renews the serving certificate inside the renewal window, keeping the CA', async () => {
    const mark = await cluster.mark();
    await runCertgenCreate(createOptions(ns), deps());
    const first = await stored();
    const result = await runCertgenCreate(createOptions(ns), deps(at(340)));
    expect(result.message).toMatch(/updated: issued a new serving certificate \(.*renewal window.*\) from the existing CA$/);
    const renewed = await stored();
    expect(entry(renewed, 'ca')).toBe(entry(first, 'ca'));
    expect(entry(renewed, 'cert')).not.toBe(entry(first, 'cert'));
    expect(await cluster.writes(mark)).toEqual([`create secrets/${SECRET} 201`, `update secrets/${SECRET} 200`]);
  });

  test('rotating the CA keeps the old CA in the bundle until the old certificate would expire', async () => {
    // A 400-day CA cannot outlive a 365-day certificate issued at day 340: the renewal rotates it.
    const opts = createOptions(ns, { caValidityMs: 400 * DAY });
    await runCertgenCreate(opts, deps());
    const first = await stored();
    const oldCa = new X509Certificate(entry(first, 'ca')).fingerprint256;
    const oldCertNotAfter = new Date(new X509Certificate(entry(first, 'cert')).validTo).toISOString();

    const result = await runCertgenCreate(opts, deps(at(340)));
    expect(result.message).toMatch(/issued a new CA \(the CA expires .*\) and serving certificate .*1 previous CA\(s\) stay in the bundle until /);
    const rotated = await stored();
    const bundle = caFingerprints(entry(rotated, 'ca'));
    expect(bundle).toHaveLength(2);
    expect(bundle[1]).toBe(oldCa);
    expect(JSON.parse(rotated.metadata.annotations![RETIRED_CAS_ANNOTATION]!)).toEqual({ [oldCa]: oldCertNotAfter });
    expect(new X509Certificate(entry(rotated, 'cert')).checkIssued(new X509Certificate(splitPemCertificates(entry(rotated, 'ca'))[0]!))).toBe(true);

    // After the old certificate's expiry the old CA leaves the bundle and the annotation goes.
    const pruned = await runCertgenCreate(opts, deps(at(370)));
    expect(pruned.message).toMatch(/dropped 1 retired CA/);
    expect(caFingerprints(entry(await stored(), 'ca'))).toEqual([bundle[0]]);
    expect((await stored()).metadata.annotations?.[RETIRED_CAS_ANNOTATION]).toBeUndefined();
  });

  test('re-issues when a host is added', async () => {
    await runCertgenCreate(createOptions(ns), deps());
    const result = await runCertgenCreate(createOptions(ns, { hosts: [...HOSTS, '10.96.0.10'] }), deps(at(1)));
    expect(result.message).toMatch(/does not cover host 10\.96\.0\.10\) from the existing CA/);
    expect(new X509Certificate(entry(await stored(), 'cert')).checkIP('10.96.0.10')).toBe('10.96.0.10');
  });

  test('repairs a Secret whose key does not match its certificate', async () => {
    await runCertgenCreate(createOptions(ns), deps());
    const broken = await stored();
    await cluster.ok('PUT', secretPath(ns), { ...broken, data: { ...broken.data, key: broken.data['ca-key'] } });
    const result = await runCertgenCreate(createOptions(ns), deps(at(1)));
    expect(result.message).toMatch(/serving private key does not match the certificate/);
  });

  test('keeps labels and data keys it does not own', async () => {
    await cluster.ok('POST', `/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: SECRET, labels: { team: 'platform' } },
      type: 'Opaque',
      data: { other: Buffer.from('keep me').toString('base64') },
    });
    await runCertgenCreate(createOptions(ns), deps());
    const secret = await stored();
    expect(secret.metadata.labels).toEqual({ team: 'platform', 'app.kubernetes.io/managed-by': 'gatehouse-certgen' });
    expect(entry(secret, 'other')).toBe('keep me');
  });

  test('an update that meets a concurrent change gets 409 Conflict, reads again and keeps that change', async () => {
    await runCertgenCreate(createOptions(ns), deps());
    const mark = await cluster.mark();
    const racing = racingKubeConfig(cluster.certgenKubeconfig, { method: 'PUT', path: secretPath(ns), write: touchSecret });
    const result = await runCertgenCreate(createOptions(ns), deps(at(340), racing));
    expect(result.changed).toBe(true);
    expect(await cluster.calls(mark)).toEqual([`get secrets/${SECRET} 200`, `update secrets/${SECRET} 409`, `get secrets/${SECRET} 200`, `update secrets/${SECRET} 200`]);
    expect((await stored()).metadata.annotations?.['example.com/touched']).toBe('1');
  });

  test('a create refused with 409 AlreadyExists reads again and updates what the other writer created', async () => {
    const mark = await cluster.mark();
    const racing = racingKubeConfig(cluster.certgenKubeconfig, {
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/secrets`,
      write: () =>
        cluster.ok('POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET, labels: { team: 'platform' } }, type: 'Opaque' }),
    });
    const result = await runCertgenCreate(createOptions(ns), deps(T0, racing));
    expect(result).toEqual({ changed: true, message: expect.stringMatching(new RegExp(`^Secret ${ns}/${SECRET} updated: issued a new CA`)) });
    expect(await cluster.calls(mark)).toEqual([`get secrets/${SECRET} 404`, `create secrets/${SECRET} 409`, `get secrets/${SECRET} 200`, `update secrets/${SECRET} 200`]);
    const secret = await stored();
    expect(secret.metadata.labels?.['team']).toBe('platform');
    expect(Object.keys(secret.data).sort()).toEqual(['ca', 'ca-key', 'cert', 'key']);
  });

  test(`gives up after ${MAX_ATTEMPTS} conflicting attempts with a one-line reason`, async () => {
    await runCertgenCreate(createOptions(ns), deps());
    const mark = await cluster.mark();
    const racing = racingKubeConfig(cluster.certgenKubeconfig, { method: 'PUT', path: secretPath(ns), times: MAX_ATTEMPTS, write: touchSecret });
    await expect(runCertgenCreate(createOptions(ns), deps(at(340), racing))).rejects.toThrow(
      new RegExp(
        `^cannot update Secret ${ns}/${SECRET}: HTTP 409: Operation cannot be fulfilled on secrets "${SECRET}": ` +
          'the object has been modified; please apply your changes to the latest version and try again$',
      ),
    );
    expect(await cluster.writes(mark)).toEqual(Array(MAX_ATTEMPTS).fill(`update secrets/${SECRET} 409`));
  });

  test('fails with a clear reason when the namespace does not exist', async () => {
    await expect(runCertgenCreate(createOptions('nowhere'), deps())).rejects.toThrow(
      'cannot create Secret nowhere/gatehouse-webhook-tls: namespace nowhere does not exist',
    );
  });

  test('fails with a clear reason when the Secret cannot be read', async () => {
    // A ServiceAccount without any RBAC: the API server answers 403 Forbidden.
    await cluster.kube.kubectlOk(['create', 'serviceaccount', 'nobody', '-n', ns]);
    const nobody = loadKubeConfig(await cluster.kube.serviceAccountKubeconfig(ns, 'nobody'));
    await expect(runCertgenCreate(createOptions(ns), deps(T0, nobody))).rejects.toThrow(
      new RegExp(`^cannot read Secret ${ns}/${SECRET}: HTTP 403: secrets "${SECRET}" is forbidden: User "system:serviceaccount:${ns}:nobody" cannot get resource "secrets"`),
    );
  });

  test('never logs key material', async () => {
    await runCertgenCreate(createOptions(ns), deps());
    await runCertgenCreate(createOptions(ns), deps(at(340)));
    const secret: StoredSecret = await stored();
    const text = log.lines.join('');
    expect(log.lines.length).toBeGreaterThan(0);
    expect(text).not.toContain('PRIVATE KEY');
    for (const key of ['key', 'ca-key']) expect(text).not.toContain(secret.data[key]!.slice(0, 40));
  });
});

// No API server in the rest of this file: these runs must not need one.
const noClusterDeps = (now = T0): CertgenDeps => ({ logger: log.logger, now: () => now, sleep: async () => {} });

describe('runCertgenCreate --out-dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-outdir-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const outOpts = () => createOptions('gatehouse', { namespace: undefined, secretName: undefined, outDir: join(dir, 'certs'), hosts: ['localhost', '127.0.0.1'] });

  test('writes ca.crt, tls.crt and tls.key, the key readable by its owner only', async () => {
    const result = await runCertgenCreate(outOpts(), noClusterDeps());
    expect(result.changed).toBe(true);
    const certs = join(dir, 'certs');
    expect((await stat(join(certs, 'tls.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(certs, 'tls.crt'))).mode & 0o777).toBe(0o644);
    const cert = new X509Certificate(await readFile(join(certs, 'tls.crt'), 'utf8'));
    expect(cert.checkIssued(new X509Certificate(await readFile(join(certs, 'ca.crt'), 'utf8')))).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  test('leaves valid files alone', async () => {
    await runCertgenCreate(outOpts(), noClusterDeps());
    const before = await readFile(join(dir, 'certs', 'tls.crt'), 'utf8');
    const result = await runCertgenCreate(outOpts(), noClusterDeps(at(10)));
    expect(result).toEqual({ changed: false, message: expect.stringMatching(/certs: certificate valid until .*: nothing to do$/) });
    expect(await readFile(join(dir, 'certs', 'tls.crt'), 'utf8')).toBe(before);
  });

  test('replaces files that do not hold a usable pair', async () => {
    await runCertgenCreate(outOpts(), noClusterDeps());
    await writeFile(join(dir, 'certs', 'tls.key'), 'garbage');
    const result = await runCertgenCreate(outOpts(), noClusterDeps(at(1)));
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
    await expect(runCertgenCreate(createOptions('gatehouse', extra), noClusterDeps())).rejects.toThrow(reason);
  });
});

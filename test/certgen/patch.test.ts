import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freePort } from '../../bench/lib.js';
import { runCertgenCreate, type CertgenDeps } from '../../src/certgen/create.js';
import { caBundlePatch, runCertgenPatch } from '../../src/certgen/patch.js';
import { createLogger } from '../../src/log.js';
import { kubeAssets } from '../support/kube-cluster.js';
import { CertgenCluster, SECRET, at, captureLogger, createOptions, entry, patchOptions, DAY } from './harness.js';
import { racingKubeConfig } from './racing-kube-config.js';

const assets = kubeAssets();

const GROUP = '/apis/admissionregistration.k8s.io/v1';
const VALIDATING = `${GROUP}/validatingwebhookconfigurations`;
const MUTATING = `${GROUP}/mutatingwebhookconfigurations`;

function webhook(name: string, namespace: string, path: string, caBundle?: string) {
  return {
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    clientConfig: { service: { name: 'gatehouse-webhook', namespace, path }, ...(caBundle ? { caBundle } : {}) },
    rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
    // Only Ingresses in the test's own namespace, which no test creates: nothing calls these webhooks.
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  };
}

/** Configurations named after the test's namespace: they are cluster-scoped. */
function validating(namespace: string, caBundle?: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: namespace },
    webhooks: [webhook('validate.gatehouse.dev', namespace, '/validate', caBundle), webhook('validate-strict.gatehouse.dev', namespace, '/validate', caBundle)],
  };
}

function mutating(namespace: string, caBundle?: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: namespace },
    webhooks: [{ ...webhook('mutate.gatehouse.dev', namespace, '/mutate', caBundle), reinvocationPolicy: 'IfNeeded' }],
  };
}

interface StoredConfig {
  metadata: { resourceVersion: string };
  webhooks: { name: string; clientConfig: { caBundle?: string }; failurePolicy: string }[];
}

const deps = (kubeConfig: KubeConfig, now?: Date): CertgenDeps => ({
  kubeConfig,
  logger: captureLogger().logger,
  sleep: async () => {},
  ...(now ? { now: () => now } : {}),
});

describe.skipIf(!assets)('runCertgenPatch on a real API server', () => {
  let cluster: CertgenCluster;
  let ns: string;
  beforeAll(async () => {
    cluster = await CertgenCluster.start(assets!);
  }, 120_000);
  afterAll(async () => cluster?.stop(), 60_000);
  beforeEach(async () => {
    ns = await cluster.namespace();
  });

  const config = async (collection: string): Promise<StoredConfig> => cluster.ok('GET', `${collection}/${ns}`);
  const bundles = async (collection: string) => (await config(collection)).webhooks.map((w) => w.clientConfig.caBundle);
  const storedCa = async () => Buffer.from(entry(await cluster.secret(ns), 'ca')).toString('base64');

  /** A Secret from certgen create and both configurations (or only the validating one); returns the expected caBundle. */
  async function setUp(configs: { mutating?: boolean } = {}): Promise<string> {
    await runCertgenCreate(createOptions(ns), deps(cluster.kubeConfig()));
    await cluster.ok('POST', VALIDATING, validating(ns));
    if (configs.mutating !== false) await cluster.ok('POST', MUTATING, mutating(ns));
    return storedCa();
  }

  test('puts the CA bundle into every webhook of both configurations', async () => {
    const bundle = await setUp();
    const result = await runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()));
    expect(result).toEqual({
      changed: true,
      message: `ValidatingWebhookConfiguration ${ns}: caBundle set on 2 webhook(s); MutatingWebhookConfiguration ${ns}: caBundle set on 1 webhook(s)`,
    });
    expect(await bundles(VALIDATING)).toEqual([bundle, bundle]);
    expect(await bundles(MUTATING)).toEqual([bundle]);
  });

  test('writes nothing when every caBundle already matches', async () => {
    await setUp();
    await runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()));
    const versions = [(await config(VALIDATING)).metadata.resourceVersion, (await config(MUTATING)).metadata.resourceVersion];
    const mark = await cluster.mark();
    const result = await runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()));
    expect(result).toEqual({ changed: false, message: `ValidatingWebhookConfiguration ${ns} already up to date; MutatingWebhookConfiguration ${ns} already up to date` });
    expect(await cluster.writes(mark)).toEqual([]);
    expect([(await config(VALIDATING)).metadata.resourceVersion, (await config(MUTATING)).metadata.resourceVersion]).toEqual(versions);
  });

  test('patches only the entries that differ and only the configuration that needs it', async () => {
    const bundle = await runCertgenCreate(createOptions(ns), deps(cluster.kubeConfig())).then(storedCa);
    await cluster.ok('POST', VALIDATING, validating(ns));
    await cluster.ok('POST', MUTATING, mutating(ns, bundle));
    const mark = await cluster.mark();
    await runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()));
    expect(await cluster.writes(mark)).toEqual([`patch validatingwebhookconfigurations/${ns} 200`]);
  });

  test('sets the failurePolicy when asked', async () => {
    await setUp();
    await runCertgenPatch(patchOptions(ns, { patchFailurePolicy: 'Ignore' }), deps(cluster.kubeConfig()));
    expect((await config(VALIDATING)).webhooks.map((w) => w.failurePolicy)).toEqual(['Ignore', 'Ignore']);
  });

  test('leaves the mutating configuration alone with --patch-mutating=false', async () => {
    await setUp({ mutating: false });
    const mark = await cluster.mark();
    const result = await runCertgenPatch(patchOptions(ns, { patchMutating: false }), deps(cluster.kubeConfig()));
    expect(result.message).toBe(`ValidatingWebhookConfiguration ${ns}: caBundle set on 2 webhook(s)`);
    const calls = await cluster.calls(mark);
    expect(calls).toContain(`patch validatingwebhookconfigurations/${ns} 200`);
    expect(calls.filter((c) => c.includes('mutatingwebhookconfigurations'))).toEqual([]);
  });

  test('carries the rotated bundle, old CA included, after a CA rotation', async () => {
    // A 400-day CA cannot outlive a 365-day certificate renewed at day 340: that renewal rotates it.
    const opts = createOptions(ns, { caValidityMs: 400 * DAY });
    await runCertgenCreate(opts, deps(cluster.kubeConfig(), at(0)));
    await cluster.ok('POST', VALIDATING, validating(ns));
    await cluster.ok('POST', MUTATING, mutating(ns));
    await runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()));
    await runCertgenCreate(opts, deps(cluster.kubeConfig(), at(340)));
    const result = await runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()));
    expect(result.changed).toBe(true);
    const bundle = Buffer.from((await bundles(VALIDATING))[0]!, 'base64').toString('utf8');
    expect(bundle).toBe(entry(await cluster.secret(ns), 'ca'));
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  test('a patch that meets a concurrent change gets 409 Conflict and is retried after reading again', async () => {
    await setUp();
    const mark = await cluster.mark();
    const racing = racingKubeConfig(cluster.certgenKubeconfig, {
      method: 'PATCH',
      path: `${VALIDATING}/${ns}`,
      write: () => cluster.edit(`${VALIDATING}/${ns}`, (c) => (c.metadata.labels = { team: 'platform' })),
    });
    const result = await runCertgenPatch(patchOptions(ns), deps(racing));
    expect(result.changed).toBe(true);
    expect((await cluster.writes(mark)).filter((c) => c.includes('validating'))).toEqual([`patch validatingwebhookconfigurations/${ns} 409`, `patch validatingwebhookconfigurations/${ns} 200`]);
    expect((await cluster.calls(mark)).filter((c) => c.startsWith('get validating'))).toEqual([`get validatingwebhookconfigurations/${ns} 200`, `get validatingwebhookconfigurations/${ns} 200`]);
  });

  test('a webhook added concurrently makes the patch conflict instead of landing on the wrong entry', async () => {
    const bundle = await setUp();
    // The other writer inserts a webhook in front: indices read before now point one entry off.
    const racing = racingKubeConfig(cluster.certgenKubeconfig, {
      method: 'PATCH',
      path: `${VALIDATING}/${ns}`,
      write: () => cluster.edit(`${VALIDATING}/${ns}`, (c) => c.webhooks.unshift(webhook('audit.gatehouse.dev', ns, '/audit'))),
    });
    const result = await runCertgenPatch(patchOptions(ns), deps(racing));
    expect(result.message).toContain(`ValidatingWebhookConfiguration ${ns}: caBundle set on 3 webhook(s)`);
    const stored = await config(VALIDATING);
    expect(stored.webhooks.map((w) => [w.name, w.clientConfig.caBundle])).toEqual([
      ['audit.gatehouse.dev', bundle],
      ['validate.gatehouse.dev', bundle],
      ['validate-strict.gatehouse.dev', bundle],
    ]);
  });

  test('fails with a clear reason, writing nothing, when a configuration does not exist', async () => {
    await setUp({ mutating: false });
    const mark = await cluster.mark();
    await expect(runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()))).rejects.toThrow(new RegExp(`^MutatingWebhookConfiguration ${ns} does not exist$`));
    expect(await cluster.writes(mark)).toEqual([]);
  });

  test('fails with a clear reason when the Secret does not exist', async () => {
    await cluster.ok('POST', VALIDATING, validating(ns));
    await cluster.ok('POST', MUTATING, mutating(ns));
    const mark = await cluster.mark();
    await expect(runCertgenPatch(patchOptions(ns), deps(cluster.kubeConfig()))).rejects.toThrow(
      `Secret ${ns}/${SECRET} does not exist (run 'gatehouse certgen create' first)`,
    );
    expect(await cluster.writes(mark)).toEqual([]);
  });

  test('fails with a clear reason when the Secret has no CA entry', async () => {
    await setUp();
    await expect(runCertgenPatch(patchOptions(ns, { caName: 'ca.crt' }), deps(cluster.kubeConfig()))).rejects.toThrow(`Secret ${ns}/${SECRET} has no key "ca.crt"`);
  });

  test('fails with a one-line reason when the API server is unreachable', async () => {
    // certgen's own kubeconfig, pointed at a port where nothing listens: what a stopped API server looks like.
    const text = (await readFile(cluster.certgenKubeconfig, 'utf8')).replace(cluster.kube.server, `https://127.0.0.1:${await freePort()}`);
    const unreachable = new KubeConfig();
    unreachable.loadFromString(text);
    const error = await runCertgenPatch(patchOptions(ns), deps(unreachable)).catch((e: Error) => e);
    expect((error as Error).message).toMatch(new RegExp(`^cannot read Secret ${ns}/${SECRET}: cannot reach the API server`));
    expect((error as Error).message).not.toContain('\n');
  });
});

// No API server below: these are decided before any request.
describe('runCertgenPatch without a request', () => {
  test('the patch carries the resourceVersion it was computed from, so a concurrent change makes it conflict', () => {
    const config = { ...validating('gatehouse'), metadata: { name: 'gatehouse', resourceVersion: '42' } };
    expect(caBundlePatch(config as never, 'QUJD')[0]).toEqual({ op: 'replace', path: '/metadata/resourceVersion', value: '42' });
  });

  test('refuses to patch nothing', async () => {
    await expect(runCertgenPatch(patchOptions('gatehouse', { patchValidating: false, patchMutating: false }), { logger: createLogger('silent') })).rejects.toThrow(
      /nothing to patch/,
    );
  });
});

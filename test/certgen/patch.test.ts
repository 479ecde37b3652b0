import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCertgenCreate, type CertgenDeps } from '../../src/certgen/create.js';
import { caBundlePatch, runCertgenPatch } from '../../src/certgen/patch.js';
import type { FakeKubeApi } from '../support/fake-kube-api.js';
import { NAMESPACE, SECRET, at, captureLogger, createOptions, entry, patchOptions, secretOf, startApi, writes, DAY } from './harness.js';

const VALIDATING_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatehouse';
const MUTATING_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/gatehouse';

function webhook(name: string, path: string, caBundle?: string) {
  return {
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    clientConfig: { service: { name: 'gatehouse-webhook', namespace: NAMESPACE, path }, ...(caBundle ? { caBundle } : {}) },
    rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
  };
}

function validating(caBundle?: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'gatehouse' },
    webhooks: [webhook('validate.gatehouse.dev', '/validate', caBundle), webhook('validate-strict.gatehouse.dev', '/validate', caBundle)],
  };
}

function mutating(caBundle?: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'gatehouse' },
    webhooks: [{ ...webhook('mutate.gatehouse.dev', '/mutate', caBundle), reinvocationPolicy: 'IfNeeded' }],
  };
}

interface StoredConfig {
  webhooks: { clientConfig: { caBundle?: string }; failurePolicy: string }[];
}

let api: FakeKubeApi;
let deps: CertgenDeps;

beforeEach(async () => {
  api = await startApi();
  deps = { kubeConfig: api.kubeconfig(), logger: captureLogger().logger, sleep: async () => {} };
});
afterEach(() => api.close());

/** A Secret from certgen create, and both configurations; returns the expected caBundle. */
async function setUp(): Promise<string> {
  await runCertgenCreate(createOptions(), deps);
  api.upsert(validating());
  api.upsert(mutating());
  api.requests.length = 0;
  return Buffer.from(entry(secretOf(api), 'ca')).toString('base64');
}

const bundles = (kind: string) => api.get<StoredConfig>(kind, undefined, 'gatehouse')!.webhooks.map((w) => w.clientConfig.caBundle);

describe('runCertgenPatch', () => {
  test('puts the CA bundle into every webhook of both configurations', async () => {
    const bundle = await setUp();
    const result = await runCertgenPatch(patchOptions(), deps);
    expect(result).toEqual({
      changed: true,
      message: 'ValidatingWebhookConfiguration gatehouse: caBundle set on 2 webhook(s); MutatingWebhookConfiguration gatehouse: caBundle set on 1 webhook(s)',
    });
    expect(bundles('ValidatingWebhookConfiguration')).toEqual([bundle, bundle]);
    expect(bundles('MutatingWebhookConfiguration')).toEqual([bundle]);
  });

  test('writes nothing when every caBundle already matches', async () => {
    await setUp();
    await runCertgenPatch(patchOptions(), deps);
    api.requests.length = 0;
    const result = await runCertgenPatch(patchOptions(), deps);
    expect(result).toEqual({ changed: false, message: 'ValidatingWebhookConfiguration gatehouse already up to date; MutatingWebhookConfiguration gatehouse already up to date' });
    expect(writes(api)).toEqual([]);
  });

  test('patches only the entries that differ and only the configuration that needs it', async () => {
    const bundle = await setUp();
    api.upsert(mutating(bundle));
    await runCertgenPatch(patchOptions(), deps);
    expect(writes(api)).toEqual([`PATCH ${VALIDATING_PATH}`]);
  });

  test('sets the failurePolicy when asked', async () => {
    await setUp();
    await runCertgenPatch(patchOptions({ patchFailurePolicy: 'Ignore' }), deps);
    const stored = api.get<StoredConfig>('ValidatingWebhookConfiguration', undefined, 'gatehouse')!;
    expect(stored.webhooks.map((w) => w.failurePolicy)).toEqual(['Ignore', 'Ignore']);
  });

  test('leaves the mutating configuration alone with --patch-mutating=false', async () => {
    await setUp();
    api.delete('MutatingWebhookConfiguration', undefined, 'gatehouse');
    const result = await runCertgenPatch(patchOptions({ patchMutating: false }), deps);
    expect(result.message).toBe('ValidatingWebhookConfiguration gatehouse: caBundle set on 2 webhook(s)');
    expect(api.requests.some((r) => r.path.includes('mutatingwebhookconfigurations'))).toBe(false);
  });

  test('carries the rotated bundle, old CA included, after a CA rotation', async () => {
    // A 400-day CA cannot outlive a 365-day certificate renewed at day 340: that renewal rotates it.
    const opts = createOptions({ caValidityMs: 400 * DAY });
    await runCertgenCreate(opts, { ...deps, now: () => at(0) });
    api.upsert(validating());
    api.upsert(mutating());
    await runCertgenPatch(patchOptions(), deps);
    await runCertgenCreate(opts, { ...deps, now: () => at(340) });
    const result = await runCertgenPatch(patchOptions(), deps);
    expect(result.changed).toBe(true);
    const bundle = Buffer.from(bundles('ValidatingWebhookConfiguration')[0]!, 'base64').toString('utf8');
    expect(bundle).toBe(entry(secretOf(api), 'ca'));
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  test('retries a patch refused with 409 Conflict after reading again', async () => {
    await setUp();
    api.failNext({ method: 'PATCH', path: VALIDATING_PATH }, 409);
    const result = await runCertgenPatch(patchOptions(), deps);
    expect(result.changed).toBe(true);
    expect(api.requestsMatching({ method: 'PATCH', path: VALIDATING_PATH }).map((r) => r.status)).toEqual([409, 200]);
  });

  test('a concurrent change to the configuration makes the patch conflict instead of landing on the wrong entry', () => {
    const config = { ...validating(), metadata: { name: 'gatehouse', resourceVersion: '42' } };
    expect(caBundlePatch(config as never, 'QUJD')[0]).toEqual({ op: 'replace', path: '/metadata/resourceVersion', value: '42' });
  });

  test('fails with a clear reason, writing nothing, when a configuration does not exist', async () => {
    await setUp();
    api.delete('MutatingWebhookConfiguration', undefined, 'gatehouse');
    await expect(runCertgenPatch(patchOptions(), deps)).rejects.toThrow(/^MutatingWebhookConfiguration gatehouse does not exist$/);
    expect(writes(api)).toEqual([]);
  });

  test('fails with a clear reason when the Secret does not exist', async () => {
    api.upsert(validating());
    api.upsert(mutating());
    await expect(runCertgenPatch(patchOptions(), deps)).rejects.toThrow(
      `Secret ${NAMESPACE}/${SECRET} does not exist (run 'gatehouse certgen create' first)`,
    );
    expect(writes(api)).toEqual([]);
  });

  test('fails with a clear reason when the Secret has no CA entry', async () => {
    await setUp();
    await expect(runCertgenPatch(patchOptions({ caName: 'ca.crt' }), deps)).rejects.toThrow(`Secret ${NAMESPACE}/${SECRET} has no key "ca.crt"`);
  });

  test('refuses to patch nothing', async () => {
    await expect(runCertgenPatch(patchOptions({ patchValidating: false, patchMutating: false }), deps)).rejects.toThrow(/nothing to patch/);
  });

  test('fails with a one-line reason when the API server is unreachable', async () => {
    await setUp();
    await api.close();
    const error = await runCertgenPatch(patchOptions(), deps).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^cannot read Secret gatehouse\/gatehouse-webhook-tls: cannot reach the API server/);
    expect((error as Error).message).not.toContain('\n');
    api = await startApi(); // for afterEach
  });
});

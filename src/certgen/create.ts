// Types only: @kubernetes/client-node (~64 MiB) is loaded when a Secret is really written, never
// for --out-dir or --help.
import type { CoreV1Api, KubeConfig, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GatehouseError } from '../errors.js';
import { apiReason, apiStatus } from '../k8s/api-error.js';
import type { StoredMaterial } from './inspect.js';
import { checkCreateOptions, type CertgenCreateOptions } from './options.js';
import { readOutDir, writeOutDir } from './out-dir.js';
import { RETIRED_CAS_ANNOTATION, parseRetiredCas, planCertificates, type NewMaterial, type Plan, type RetiredCas } from './plan.js';

/** What certgen commands need from outside; tests pass a fake API server's config and a clock. */
export interface CertgenDeps {
  /** Overrides `opts.kubeconfig` and in-cluster config. */
  readonly kubeConfig?: KubeConfig;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Pause between conflict retries; tests pass a no-op. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CertgenResult {
  readonly changed: boolean;
  /** One line for the operator. */
  readonly message: string;
}

/** Conflicts come from a concurrent writer (another Job run, a GitOps sync); a few tries settle them. */
export const MAX_ATTEMPTS = 5;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function fail(message: string, cause?: unknown): GatehouseError {
  return new GatehouseError('CERTGEN', message, cause === undefined ? undefined : { cause });
}

/** The KubeConfig to use, or a KUBE_CONFIG error with a one-line reason. */
export async function kubeConfigFor(kubeconfig: string | undefined, deps: CertgenDeps): Promise<KubeConfig> {
  if (deps.kubeConfig) return deps.kubeConfig;
  const { loadKubeConfig } = await import('../k8s/client.js');
  try {
    return loadKubeConfig(kubeconfig);
  } catch (err) {
    throw new GatehouseError('KUBE_CONFIG', (err as Error).message, { cause: err });
  }
}

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

function storedFrom(secret: V1Secret | undefined, opts: CertgenCreateOptions): StoredMaterial {
  const data = secret?.data;
  const entries = { ca: decode(data, opts.caName), cert: decode(data, opts.certName), key: decode(data, opts.keyName), caKey: decode(data, opts.caKeyName) };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as StoredMaterial;
}

/**
 * The Secret to write: the existing one (labels, other keys and its type kept) with our keys
 * replaced, or a new Opaque Secret — the type kube-webhook-certgen writes, since `cert`/`key`
 * are not the keys a kubernetes.io/tls Secret requires.
 */
function secretWith(existing: V1Secret | undefined, opts: CertgenCreateOptions, material: NewMaterial, retired: RetiredCas): V1Secret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const data: Record<string, string> = { ...existing?.data, [opts.caName]: b64(material.ca), [opts.certName]: b64(material.cert), [opts.keyName]: b64(material.key) };
  if (material.caKey !== undefined) data[opts.caKeyName] = b64(material.caKey);
  const annotations: Record<string, string> = { ...existing?.metadata?.annotations };
  if (Object.keys(retired).length > 0) annotations[RETIRED_CAS_ANNOTATION] = JSON.stringify(retired);
  else delete annotations[RETIRED_CAS_ANNOTATION];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...existing?.metadata,
      name: opts.secretName!,
      namespace: opts.namespace!,
      labels: { 'app.kubernetes.io/managed-by': 'gatehouse-certgen', ...existing?.metadata?.labels },
      annotations,
    },
    type: existing?.type ?? 'Opaque',
    data,
  };
}

async function readSecret(core: CoreV1Api, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await core.readNamespacedSecret({ namespace, name });
  } catch (err) {
    if (apiStatus(err) === 404) return undefined;
    throw fail(`cannot read Secret ${namespace}/${name}: ${apiReason(err)}`, err);
  }
}

async function createInSecret(opts: CertgenCreateOptions, deps: CertgenDeps, now: Date): Promise<CertgenResult> {
  const namespace = opts.namespace!;
  const name = opts.secretName!;
  const where = `Secret ${namespace}/${name}`;
  const log = deps.logger.child({ component: 'certgen', secret: `${namespace}/${name}` });
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const core = (await kubeConfigFor(opts.kubeconfig, deps)).makeApiClient(CoreV1Api);
  const sleep = deps.sleep ?? defaultSleep;

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const existing = await readSecret(core, namespace, name);
    const plan = planFor(opts, storedFrom(existing, opts), existing?.metadata?.annotations?.[RETIRED_CAS_ANNOTATION], now);
    if (!plan.changed) {
      log.debug({ changed: false }, plan.message);
      return { changed: false, message: `${where}: ${plan.message}` };
    }
    const body = secretWith(existing, opts, plan.material, plan.retired);
    try {
      // A PUT carries the resourceVersion we read: a concurrent writer makes it fail with 409
      // instead of being overwritten (https://kubernetes.io/docs/reference/using-api/api-concepts/#conflicts).
      if (existing) await core.replaceNamespacedSecret({ namespace, name, body });
      else await core.createNamespacedSecret({ namespace, body });
    } catch (err) {
      const status = apiStatus(err);
      if (status === 409 && attempt < MAX_ATTEMPTS) {
        log.warn({ attempt }, `${where} changed while we wrote it; reading it again`);
        await sleep(100 * attempt);
        continue;
      }
      if (status === 404 && !existing) throw fail(`cannot create ${where}: namespace ${namespace} does not exist`, err);
      throw fail(`cannot ${existing ? 'update' : 'create'} ${where}: ${apiReason(err)}`, err);
    }
    log.debug({ changed: true, created: !existing }, plan.message);
    return { changed: true, message: `${where} ${existing ? 'updated' : 'created'}: ${plan.message}` };
  }
  throw fail(`cannot write ${where}: still conflicting after ${MAX_ATTEMPTS} attempts`);
}

/** The plan for what is stored now (a Secret or --out-dir), with the options' hosts and lifetimes. */
function planFor(opts: CertgenCreateOptions, stored: StoredMaterial, retiredRecord: string | undefined, now: Date): Plan {
  return planCertificates({
    stored,
    retired: parseRetiredCas(retiredRecord),
    hosts: opts.hosts,
    keySize: opts.keySize,
    caValidityMs: opts.caValidityMs,
    certValidityMs: opts.certValidityMs,
    renewBeforeMs: opts.renewBeforeMs,
    keepRetiredCas: true,
    now,
  });
}

async function createInDir(opts: CertgenCreateOptions, deps: CertgenDeps, now: Date): Promise<CertgenResult> {
  const dir = opts.outDir!;
  const log = deps.logger.child({ component: 'certgen', outDir: dir });
  let stored: StoredMaterial;
  let retiredText: string | undefined;
  try {
    ({ stored, retired: retiredText } = await readOutDir(dir));
  } catch (err) {
    throw fail((err as Error).message, err);
  }
  const plan = planFor(opts, stored, retiredText, now);
  if (!plan.changed) {
    log.debug({ changed: false }, plan.message);
    return { changed: false, message: `${dir}: ${plan.message}` };
  }
  try {
    await writeOutDir(dir, plan.material, JSON.stringify(plan.retired));
  } catch (err) {
    throw fail((err as Error).message, err);
  }
  log.debug({ changed: true }, plan.message);
  return { changed: true, message: `${dir}: ${plan.message}` };
}

/**
 * `gatehouse certgen create`: makes sure the Secret (or `outDir`) holds a CA bundle and a serving
 * certificate for every host, valid beyond the renewal window; changes nothing when it does.
 * Throws a GatehouseError with a one-line reason on failure. Never logs key material.
 */
export async function runCertgenCreate(opts: CertgenCreateOptions, deps: CertgenDeps): Promise<CertgenResult> {
  checkCreateOptions(opts);
  const now = deps.now?.() ?? new Date();
  return opts.outDir ? createInDir(opts, deps, now) : createInSecret(opts, deps, now);
}

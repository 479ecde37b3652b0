import { AdmissionregistrationV1Api, CoreV1Api, type V1MutatingWebhookConfiguration, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { GatehouseError } from '../errors.js';
import { apiReason, apiStatus } from '../k8s/api-error.js';
import { MAX_ATTEMPTS, kubeConfigFor, type CertgenDeps, type CertgenResult } from './create.js';
import { checkPatchOptions, type CertgenPatchOptions } from './options.js';
import { parseBundle } from './pem.js';

type WebhookConfiguration = V1ValidatingWebhookConfiguration | V1MutatingWebhookConfiguration;

/** One RFC 6902 operation; `add` on an object member replaces it when present. */
export interface JsonPatchOp {
  readonly op: 'add' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

/** Read and patch one kind of webhook configuration: the only thing that differs between the two. */
interface ConfigurationKind {
  readonly kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  read(name: string): Promise<WebhookConfiguration>;
  patch(name: string, ops: JsonPatchOp[]): Promise<unknown>;
}

function fail(message: string, cause?: unknown): GatehouseError {
  return new GatehouseError('CERTGEN', message, cause === undefined ? undefined : { cause });
}

/**
 * The JSON Patch that puts `caBundle` (base64, as the API's []byte field is written) into every
 * webhook entry and, when asked, sets `failurePolicy`; empty when nothing would change. The
 * resourceVersion we read is written back: a concurrent change (say, a webhook added, which
 * shifts the indices) then fails with 409 Conflict instead of patching the wrong entry.
 */
export function caBundlePatch(config: WebhookConfiguration, caBundle: string, failurePolicy?: 'Fail' | 'Ignore'): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  (config.webhooks ?? []).forEach((webhook, i) => {
    if (webhook.clientConfig?.caBundle !== caBundle) ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle });
    if (failurePolicy && webhook.failurePolicy !== failurePolicy) ops.push({ op: 'add', path: `/webhooks/${i}/failurePolicy`, value: failurePolicy });
  });
  if (ops.length === 0) return ops;
  return [{ op: 'replace', path: '/metadata/resourceVersion', value: config.metadata?.resourceVersion }, ...ops];
}

async function readCaBundle(core: CoreV1Api, opts: CertgenPatchOptions): Promise<string> {
  const where = `Secret ${opts.namespace}/${opts.secretName}`;
  let secret;
  try {
    secret = await core.readNamespacedSecret({ namespace: opts.namespace, name: opts.secretName });
  } catch (err) {
    if (apiStatus(err) === 404) throw fail(`${where} does not exist (run 'gatehouse certgen create' first)`, err);
    throw fail(`cannot read ${where}: ${apiReason(err)}`, err);
  }
  const encoded = secret.data?.[opts.caName];
  if (!encoded) throw fail(`${where} has no key "${opts.caName}"`);
  const pem = Buffer.from(encoded, 'base64').toString('utf8');
  if (!parseBundle(pem)) throw fail(`${where} key "${opts.caName}" holds no readable PEM certificate`);
  return Buffer.from(pem, 'utf8').toString('base64');
}

function kindsFor(api: AdmissionregistrationV1Api, opts: CertgenPatchOptions): ConfigurationKind[] {
  const kinds: ConfigurationKind[] = [];
  if (opts.patchValidating) {
    kinds.push({
      kind: 'ValidatingWebhookConfiguration',
      read: (name) => api.readValidatingWebhookConfiguration({ name }),
      patch: (name, body) => api.patchValidatingWebhookConfiguration({ name, body }),
    });
  }
  if (opts.patchMutating) {
    kinds.push({
      kind: 'MutatingWebhookConfiguration',
      read: (name) => api.readMutatingWebhookConfiguration({ name }),
      patch: (name, body) => api.patchMutatingWebhookConfiguration({ name, body }),
    });
  }
  return kinds;
}

async function read(k: ConfigurationKind, name: string): Promise<WebhookConfiguration> {
  try {
    return await k.read(name);
  } catch (err) {
    if (apiStatus(err) === 404) throw fail(`${k.kind} ${name} does not exist`, err);
    throw fail(`cannot read ${k.kind} ${name}: ${apiReason(err)}`, err);
  }
}

/**
 * `gatehouse certgen patch`: puts the Secret's CA bundle into `caBundle` of every webhook of the
 * named Validating and/or Mutating configuration. Every configuration is read before any is
 * written, so a missing one fails the run without a half-done patch. Writes nothing when every
 * entry already matches. Throws a GatehouseError with a one-line reason on failure.
 */
export async function runCertgenPatch(opts: CertgenPatchOptions, deps: CertgenDeps): Promise<CertgenResult> {
  checkPatchOptions(opts);
  const kc = await kubeConfigFor(opts.kubeconfig, deps);
  const log = deps.logger.child({ component: 'certgen', webhook: opts.webhookName });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const caBundle = await readCaBundle(kc.makeApiClient(CoreV1Api), opts);
  const kinds = kindsFor(kc.makeApiClient(AdmissionregistrationV1Api), opts);
  const current = await Promise.all(kinds.map((k) => read(k, opts.webhookName)));

  const outcomes: string[] = [];
  let changed = false;
  for (const [i, k] of kinds.entries()) {
    const where = `${k.kind} ${opts.webhookName}`;
    let config = current[i]!;
    for (let attempt = 1; ; attempt++) {
      if ((config.webhooks ?? []).length === 0) {
        outcomes.push(`${where} has no webhooks: nothing to patch`);
        break;
      }
      const ops = caBundlePatch(config, caBundle, opts.patchFailurePolicy);
      if (ops.length === 0) {
        outcomes.push(`${where} already up to date`);
        break;
      }
      try {
        await k.patch(opts.webhookName, ops);
      } catch (err) {
        if (apiStatus(err) === 409 && attempt < MAX_ATTEMPTS) {
          log.warn({ kind: k.kind, attempt }, `${where} changed while we patched it; reading it again`);
          await sleep(100 * attempt);
          config = await read(k, opts.webhookName);
          continue;
        }
        throw fail(`cannot patch ${where}: ${apiReason(err)}`, err);
      }
      const n = config.webhooks?.length ?? 0;
      outcomes.push(`${where}: caBundle${opts.patchFailurePolicy ? ` and failurePolicy ${opts.patchFailurePolicy}` : ''} set on ${n} webhook(s)`);
      log.debug({ kind: k.kind, webhooks: n }, 'webhook configuration patched');
      changed = true;
      break;
    }
  }
  if (!changed) log.debug({ changed }, 'webhook configurations already up to date');
  return { changed, message: outcomes.join('; ') };
}

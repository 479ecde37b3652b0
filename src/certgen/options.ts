import { isIP } from 'node:net';
import { GatehouseError } from '../errors.js';
import type { FlagSpec } from '../config/flags.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Settings of `gatehouse certgen create`. Durations are milliseconds. */
export interface CertgenCreateOptions {
  /** DNS names and/or IP addresses; the first is the subject CN, all go into the SANs. */
  readonly hosts: readonly string[];
  /** Namespace of the Secret (not needed with `outDir`). */
  readonly namespace?: string;
  /** Name of the Secret (not needed with `outDir`). */
  readonly secretName?: string;
  /** Secret keys, the same kube-webhook-certgen writes so existing Deployments keep mounting them. */
  readonly certName: string;
  readonly keyName: string;
  readonly caName: string;
  /** Secret key of the CA's private key, which lets later runs reuse the CA (kube-webhook-certgen keeps none). */
  readonly caKeyName: string;
  /** RSA modulus length of both keys. */
  readonly keySize: number;
  readonly caValidityMs: number;
  readonly certValidityMs: number;
  /** Issue a new serving certificate when the current one expires within this. */
  readonly renewBeforeMs: number;
  /** Write ca.crt, tls.crt and tls.key here instead of a Secret; no cluster needed. */
  readonly outDir?: string;
  /** kubeconfig path; without it, in-cluster config (or client-node's default search). */
  readonly kubeconfig?: string;
}

/** Settings of `gatehouse certgen patch`. */
export interface CertgenPatchOptions {
  /** Name of the ValidatingWebhookConfiguration and/or MutatingWebhookConfiguration. */
  readonly webhookName: string;
  readonly namespace: string;
  readonly secretName: string;
  readonly caName: string;
  readonly patchValidating: boolean;
  readonly patchMutating: boolean;
  /** Also set every webhook's failurePolicy; omitted leaves it alone. */
  readonly patchFailurePolicy?: 'Fail' | 'Ignore';
  readonly kubeconfig?: string;
}

/** Defaults of every create option that has one. */
export const CREATE_DEFAULTS = Object.freeze({
  certName: 'cert',
  keyName: 'key',
  caName: 'ca',
  caKeyName: 'ca-key',
  keySize: 2048,
  caValidityMs: 10 * YEAR,
  certValidityMs: YEAR,
  renewBeforeMs: 30 * DAY,
});

export const PATCH_DEFAULTS = Object.freeze({
  caName: 'ca',
  patchValidating: true,
  patchMutating: true,
});

const KUBECONFIG_FLAG: FlagSpec = {
  name: 'kubeconfig',
  type: 'string',
  arg: 'PATH',
  help: 'kubeconfig file (default: in-cluster config)',
};

// Durations use the shared parser of src/config/flags.ts: `<n>ms|s|m|h|d|y` (m = minutes,
// d = 24h, y = 365d), so kube-webhook-certgen-style hours (`87600h`) work as they are.
// A duration default is stored in milliseconds, as the parser produces; the help text names it.

/** Flags of `gatehouse certgen create`, compatible with kube-webhook-certgen's `create`. */
export const CERTGEN_CREATE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'host',
    type: 'list',
    arg: 'NAMES',
    required: true,
    help: 'comma-separated DNS names and/or IPs; the first is the subject CN, all go into the SANs',
  },
  { name: 'namespace', type: 'string', arg: 'NS', help: 'namespace of the Secret (required unless --out-dir)' },
  { name: 'secret-name', type: 'string', arg: 'NAME', help: 'Secret to create or update (required unless --out-dir)' },
  { name: 'cert-name', type: 'string', arg: 'KEY', default: CREATE_DEFAULTS.certName, help: 'Secret key of the serving certificate' },
  { name: 'key-name', type: 'string', arg: 'KEY', default: CREATE_DEFAULTS.keyName, help: 'Secret key of the serving private key' },
  { name: 'ca-name', type: 'string', arg: 'KEY', default: CREATE_DEFAULTS.caName, help: 'Secret key of the CA bundle' },
  {
    name: 'ca-key-name',
    type: 'string',
    arg: 'KEY',
    default: CREATE_DEFAULTS.caKeyName,
    help: 'Secret key of the CA private key (lets renewals reuse the CA)',
  },
  { name: 'key-size', type: 'int', arg: 'BITS', min: 2048, max: 8192, default: CREATE_DEFAULTS.keySize, help: 'RSA key size' },
  { name: 'ca-validity', type: 'duration', arg: 'DURATION', default: CREATE_DEFAULTS.caValidityMs, help: 'CA lifetime, e.g. 10y or 87600h' },
  { name: 'cert-validity', type: 'duration', arg: 'DURATION', default: CREATE_DEFAULTS.certValidityMs, help: 'serving certificate lifetime' },
  {
    name: 'renew-before',
    type: 'duration',
    arg: 'DURATION',
    default: CREATE_DEFAULTS.renewBeforeMs,
    help: 'renew the serving certificate when it expires within this',
  },
  { name: 'out-dir', type: 'string', arg: 'DIR', help: 'write ca.crt, tls.crt and tls.key to DIR instead of a Secret' },
  KUBECONFIG_FLAG,
];

/** Flags of `gatehouse certgen patch`, compatible with kube-webhook-certgen's `patch`. */
export const CERTGEN_PATCH_FLAGS: readonly FlagSpec[] = [
  {
    name: 'webhook-name',
    type: 'string',
    arg: 'NAME',
    required: true,
    help: 'name of the ValidatingWebhookConfiguration and/or MutatingWebhookConfiguration',
  },
  { name: 'namespace', type: 'string', arg: 'NS', required: true, help: 'namespace of the Secret' },
  { name: 'secret-name', type: 'string', arg: 'NAME', required: true, help: 'Secret holding the CA bundle' },
  { name: 'ca-name', type: 'string', arg: 'KEY', default: PATCH_DEFAULTS.caName, help: 'Secret key of the CA bundle' },
  { name: 'patch-validating', type: 'bool', default: PATCH_DEFAULTS.patchValidating, help: 'patch the ValidatingWebhookConfiguration' },
  { name: 'patch-mutating', type: 'bool', default: PATCH_DEFAULTS.patchMutating, help: 'patch the MutatingWebhookConfiguration' },
  {
    name: 'patch-failure-policy',
    type: 'enum',
    values: ['Fail', 'Ignore'],
    help: "also set every webhook's failurePolicy (default: leave it)",
  },
  KUBECONFIG_FLAG,
];

// RFC 1123 labels. No wildcards: a Service has concrete names, and a wildcard could never be
// confirmed as covered (checkHost matches names, not patterns), so every run would renew.
const DNS_NAME = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;

function usage(message: string): GatehouseError {
  return new GatehouseError('USAGE', message);
}

/**
 * Checks option combinations the flag table cannot express. Throws a USAGE error with a
 * one-line reason. Shared by the flag converter and runCertgenCreate (callers may skip the CLI).
 */
export function checkCreateOptions(o: CertgenCreateOptions): void {
  if (o.hosts.length === 0) throw usage('--host needs at least one DNS name or IP');
  const bad = o.hosts.find((h) => isIP(h) === 0 && !DNS_NAME.test(h));
  if (bad !== undefined) throw usage(`--host: ${JSON.stringify(bad)} is neither an IP address nor a DNS name`);
  if (!o.outDir && (!o.namespace || !o.secretName)) throw usage('--namespace and --secret-name are required unless --out-dir is given');
  if (o.outDir && (o.namespace || o.secretName)) throw usage('--out-dir writes files: it cannot be combined with --namespace/--secret-name');
  if (!Number.isInteger(o.keySize) || o.keySize < 2048) throw usage('--key-size must be at least 2048');
  if (o.certValidityMs <= 0 || o.caValidityMs <= 0) throw usage('--ca-validity and --cert-validity must be positive');
  // A serving certificate cannot outlive its issuer: chain verification fails once the CA expires.
  if (o.certValidityMs > o.caValidityMs) throw usage('--cert-validity must not exceed --ca-validity');
  if (o.renewBeforeMs >= o.certValidityMs) throw usage('--renew-before must be shorter than --cert-validity (every run would renew)');
  const keys = [o.certName, o.keyName, o.caName, o.caKeyName];
  if (new Set(keys).size !== keys.length) throw usage('--cert-name, --key-name, --ca-name and --ca-key-name must differ');
}

export function checkPatchOptions(o: CertgenPatchOptions): void {
  if (!o.patchValidating && !o.patchMutating) {
    throw usage('--patch-validating=false and --patch-mutating=false: nothing to patch');
  }
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** CertgenCreateOptions from values parsed with CERTGEN_CREATE_FLAGS (validated, frozen). */
export function certgenCreateOptionsFrom(values: Readonly<Record<string, unknown>>): CertgenCreateOptions {
  const namespace = optionalString(values['namespace']);
  const secretName = optionalString(values['secret-name']);
  const outDir = optionalString(values['out-dir']);
  const kubeconfig = optionalString(values['kubeconfig']);
  const opts: CertgenCreateOptions = Object.freeze({
    hosts: Object.freeze([...((values['host'] as string[] | undefined) ?? [])]),
    ...(namespace ? { namespace } : {}),
    ...(secretName ? { secretName } : {}),
    certName: values['cert-name'] as string,
    keyName: values['key-name'] as string,
    caName: values['ca-name'] as string,
    caKeyName: values['ca-key-name'] as string,
    keySize: values['key-size'] as number,
    caValidityMs: values['ca-validity'] as number,
    certValidityMs: values['cert-validity'] as number,
    renewBeforeMs: values['renew-before'] as number,
    ...(outDir ? { outDir } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
  });
  checkCreateOptions(opts);
  return opts;
}

/** CertgenPatchOptions from values parsed with CERTGEN_PATCH_FLAGS (validated, frozen). */
export function certgenPatchOptionsFrom(values: Readonly<Record<string, unknown>>): CertgenPatchOptions {
  const policy = values['patch-failure-policy'] as 'Fail' | 'Ignore' | undefined;
  const kubeconfig = optionalString(values['kubeconfig']);
  const opts: CertgenPatchOptions = Object.freeze({
    webhookName: values['webhook-name'] as string,
    namespace: values['namespace'] as string,
    secretName: values['secret-name'] as string,
    caName: values['ca-name'] as string,
    patchValidating: values['patch-validating'] as boolean,
    patchMutating: values['patch-mutating'] as boolean,
    ...(policy ? { patchFailurePolicy: policy } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
  });
  checkPatchOptions(opts);
  return opts;
}

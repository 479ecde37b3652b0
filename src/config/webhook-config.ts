import { GatehouseError } from '../errors.js';
import type { RuleOptions } from '../rules/types.js';
import { LOG_FLAGS, PROCESS_FLAGS, RULE_FLAGS, ruleOptionsFrom, SNAPSHOT_FLAGS } from './common-flags.js';
import type { FlagSpec, HostPort, ParsedFlags } from './flags.js';

export const WEBHOOK_FLAGS: readonly FlagSpec[] = [
  { name: 'listen', type: 'hostport', default: { host: '0.0.0.0', port: 8443 }, help: 'HTTPS address of the webhook' },
  {
    name: 'health-listen',
    type: 'hostport',
    default: { host: '0.0.0.0', port: 10254 },
    help: 'plain-HTTP address of /healthz, /readyz and /metrics',
  },
  { name: 'tls-cert-file', type: 'string', arg: 'PATH', help: 'PEM serving certificate (reloaded when it changes)' },
  { name: 'tls-key-file', type: 'string', arg: 'PATH', help: 'PEM private key of the serving certificate' },
  { name: 'self-signed', type: 'bool', default: false, help: 'serve an in-memory certificate for localhost (try-outs only)' },
  { name: 'client-ca-file', type: 'string', arg: 'PATH', help: 'require client certificates signed by this CA' },
  {
    name: 'allowed-client-names',
    type: 'list',
    arg: 'NAMES',
    help: 'comma-separated CN/SAN values a client certificate must carry (with --client-ca-file)',
  },
  {
    name: 'policy-file',
    type: 'string',
    arg: 'PATH',
    help: 'YAML {mode, rules: {RULE: ACTION}, exemptNamespaceLabel} over the flags, re-read when it changes (a mounted ConfigMap)',
  },
  { name: 'print-curl', type: 'bool', default: false, help: 'print a ready-to-paste curl command once listening' },
  ...SNAPSHOT_FLAGS,
  ...RULE_FLAGS,
  ...PROCESS_FLAGS,
  ...LOG_FLAGS,
];

/** Validated, frozen settings of `gatehouse webhook`. */
export interface WebhookConfig {
  readonly listen: HostPort;
  readonly healthListen: HostPort;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | 'self-signed';
  readonly clientCaFile?: string;
  readonly allowedClientNames: readonly string[];
  readonly printCurl: boolean;
  readonly snapshotPaths: readonly string[];
  readonly kubeconfig?: string;
  readonly rules: RuleOptions;
  /** `--policy-file`: overrides `rules.policy`, watched live. */
  readonly policyFile?: string;
  /** `--native-heap-trim-interval`, ms; 0: never (native-heap.ts). */
  readonly nativeHeapTrimIntervalMs: number;
  readonly logLevel: string;
}

export function webhookConfigFrom(parsed: ParsedFlags): WebhookConfig {
  const v = parsed.values;
  const cert = v['tls-cert-file'] as string | undefined;
  const key = v['tls-key-file'] as string | undefined;
  const selfSigned = v['self-signed'] as boolean;
  if (selfSigned && (cert || key)) throw new GatehouseError('USAGE', '--self-signed cannot be combined with --tls-cert-file/--tls-key-file');
  if (!selfSigned && (!cert || !key)) throw new GatehouseError('USAGE', 'either --tls-cert-file and --tls-key-file, or --self-signed, is required');
  const allowed = (v['allowed-client-names'] as string[] | undefined) ?? [];
  if (allowed.length > 0 && !v['client-ca-file']) throw new GatehouseError('USAGE', '--allowed-client-names needs --client-ca-file');
  const snapshots = (v['snapshot'] as string[] | undefined) ?? [];
  if (snapshots.length > 0 && v['kubeconfig']) throw new GatehouseError('USAGE', '--snapshot and --kubeconfig are exclusive');
  if (parsed.positionals.length > 0) throw new GatehouseError('USAGE', `unexpected argument ${parsed.positionals[0]}`);
  return Object.freeze({
    listen: v['listen'] as HostPort,
    healthListen: v['health-listen'] as HostPort,
    tls: selfSigned ? 'self-signed' : Object.freeze({ certFile: cert!, keyFile: key! }),
    ...(v['client-ca-file'] ? { clientCaFile: v['client-ca-file'] as string } : {}),
    allowedClientNames: Object.freeze(allowed),
    printCurl: v['print-curl'] as boolean,
    snapshotPaths: Object.freeze(snapshots),
    ...(v['kubeconfig'] ? { kubeconfig: v['kubeconfig'] as string } : {}),
    rules: ruleOptionsFrom(v),
    ...(v['policy-file'] ? { policyFile: v['policy-file'] as string } : {}),
    nativeHeapTrimIntervalMs: v['native-heap-trim-interval'] as number,
    logLevel: v['log-level'] as string,
  });
}

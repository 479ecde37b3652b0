import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { admit } from '../admission/admit.js';
import type { AdmissionDeps } from '../admission/handler.js';
import type { JsonPatchOp } from '../admission/json-patch.js';
import type { AdmissionRequest } from '../admission/review.js';
import { addToSnapshot, loadFileSnapshot } from '../k8s/file-snapshot.js';
import { listManifestFiles, loadManifestFiles, type LoadedObject } from '../k8s/load-files.js';
import { objectKey, type ClusterSnapshot, type SnapshotStore } from '../k8s/snapshot.js';
import { openSnapshotSource, type SnapshotSource } from '../k8s/snapshot-source.js';
import { GatehouseError } from '../errors.js';
import type { Ingress, KubeObject } from '../k8s/types.js';
import type { Finding, Rule, RuleOptions } from '../rules/types.js';
import { inputProblem } from './input-problem.js';

/** The verdict on one Ingress from the checked files. */
export interface IngressReport {
  readonly source: string;
  readonly namespace: string;
  readonly name: string;
  /** False when the Ingress belongs to another controller: nothing was checked. */
  readonly owned: boolean;
  readonly allowed: boolean;
  readonly findings: readonly Finding[];
  /** Denials the policy (--mode audit, --rule-action RULE=audit) let through: what the webhook records in auditAnnotations. */
  readonly audited: readonly Finding[];
  /** The mutating webhook's patch, applied before the rules ran (as the API server does). */
  readonly patch: readonly JsonPatchOp[];
  /** Set when the object could not be judged: 400 malformed (the finding says where), 500 a rule failed. */
  readonly error?: number;
}

/** A problem with the input itself (exit 2): a misspelt kind, an AdmissionReview, a document that is no object. */
export interface InputError {
  readonly source: string;
  readonly message: string;
}

/** A checked file that holds no Ingress, with the kinds it does hold. */
export interface FileWithoutIngress {
  readonly source: string;
  readonly kinds: readonly string[];
}

export interface CheckResult {
  readonly reports: readonly IngressReport[];
  /** The Ingress behind each report, in the same order, as read (the migration report parses its annotations). */
  readonly objects: readonly KubeObject[];
  readonly denied: number;
  readonly errors: readonly InputError[];
  readonly withoutIngress: readonly FileWithoutIngress[];
  /** Said once per run: checks that were skipped for want of cluster objects. */
  readonly notes: readonly string[];
  /** Set when the Ingresses came from a live cluster (`--kubeconfig`): where from. */
  readonly cluster?: string;
}

export interface CheckInput {
  readonly snapshotPaths: readonly string[];
  readonly files: readonly string[];
  readonly rules: readonly Rule[];
  readonly options: RuleOptions;
  /** Where a failing rule's error goes (the webhook's log in `serve`). */
  readonly logger: Logger;
  readonly now?: Date;
}

/** The kinds whose absence makes rules skip checks (SnapshotStore.covers). */
const CLUSTER_KINDS = ['Service', 'Secret', 'IngressClass'] as const;

/** The webhook warns when it skips cluster checks (handler.ts UNSYNCED_WARNING); check says so once. */
function skippedChecksNote(store: SnapshotStore, snapshotGiven: boolean): string | undefined {
  const missing = CLUSTER_KINDS.filter((k) => !store.covers(k));
  if (snapshotGiven && missing.length === 0) return undefined;
  const parts: string[] = [];
  if (!snapshotGiven) parts.push('no --snapshot: the cluster is taken to hold only the objects in FILEs, so conflicts with Ingresses already in the cluster were not checked');
  if (missing.length > 0) parts.push(`checks that need ${missing.join(', ')} objects were skipped (none in ${snapshotGiven ? 'the snapshot or FILEs' : 'FILEs'})`);
  return `${parts.join('; ')}`;
}

/** The AdmissionRequest the API server would send for creating this Ingress. */
function createRequest(object: KubeObject): AdmissionRequest {
  const [group, version] = (object.apiVersion ?? '').split('/') as [string, string];
  const meta = (typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {}) as Record<string, unknown>;
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default';
  return {
    uid: randomUUID(),
    kind: { group, version, kind: 'Ingress' },
    resource: { group, version, resource: 'ingresses' },
    namespace,
    ...(typeof meta['name'] === 'string' ? { name: meta['name'] } : {}),
    operation: 'CREATE',
    object,
  };
}

/**
 * The AdmissionRequest for judging an Ingress already stored in the cluster: an UPDATE of itself
 * (oldObject = object). Rules look the Ingress up by namespace/name, so it never conflicts with
 * its own snapshot entry, and CREATE-only checks (a Terminating namespace) do not fire on it.
 */
export function existingRequest(ingress: Ingress): AdmissionRequest {
  const [group, version] = (ingress.apiVersion ?? 'networking.k8s.io/v1').split('/') as [string, string];
  const object = { ...ingress, apiVersion: `${group}/${version}`, kind: 'Ingress' };
  return {
    uid: randomUUID(),
    kind: { group, version, kind: 'Ingress' },
    resource: { group, version, resource: 'ingresses' },
    namespace: ingress.metadata.namespace ?? 'default',
    name: ingress.metadata.name ?? '',
    operation: 'UPDATE',
    object,
    oldObject: object,
  };
}

/** One Ingress through admit(), as `check` reports it. */
export function reportOf(source: string, request: AdmissionRequest, deps: AdmissionDeps): IngressReport {
  const admission = admit(request, deps);
  const { decision } = admission;
  const base = { source, namespace: request.namespace ?? 'default', name: request.name ?? '', patch: admission.patch };
  if (decision.allowed && !admission.judged) return { ...base, owned: false, allowed: true, findings: [], audited: [] };
  const code = decision.code ?? 403;
  if (!decision.allowed && code !== 403) {
    const findings = admission.findings.length > 0 ? admission.findings : [{ rule: 'gatehouse', severity: 'deny' as const, path: '', message: decision.message ?? 'failed' }];
    return { ...base, owned: admission.judged, allowed: false, findings, audited: [], error: code };
  }
  return { ...base, owned: true, allowed: decision.allowed, findings: admission.findings, audited: admission.audited };
}

/**
 * `gatehouse check`: each Ingress in FILEs goes through the webhook's own admission sequence
 * (admission/admit.ts) as a CREATE. The files' own objects join the snapshot, so an Ingress is
 * judged together with the Services and Ingresses shipped beside it.
 */
export async function runCheck(input: CheckInput): Promise<CheckResult> {
  const { store } = await loadFileSnapshot(input.snapshotPaths);
  const files = await listManifestFiles(input.files);
  const loaded = await loadManifestFiles(files);
  addToSnapshot(store, loaded.map((l) => l.object));
  const deps = { cluster: store, synced: () => true, rules: input.rules, options: input.options, logger: input.logger, now: () => input.now ?? new Date() };

  const reports: IngressReport[] = [];
  const judged: KubeObject[] = [];
  const errors: InputError[] = [];
  const bySource = new Map<string, LoadedObject[]>(files.map((f) => [f, []]));
  for (const l of loaded) bySource.get(l.source)?.push(l);
  const withoutIngress: FileWithoutIngress[] = [];
  for (const [source, objects] of bySource) {
    let ingresses = 0;
    for (const { object } of objects) {
      const problem = inputProblem(object);
      if (problem === 'ingress') {
        ingresses++;
        reports.push(reportOf(source, createRequest(object), deps));
        judged.push(object);
      } else if (problem !== undefined) errors.push({ source, message: problem });
    }
    if (ingresses === 0) withoutIngress.push({ source, kinds: [...new Set(objects.map((o) => String(o.object.kind)))] });
  }
  const note = skippedChecksNote(store, input.snapshotPaths.length > 0);
  return { reports, objects: judged, denied: reports.filter((r) => !r.allowed).length, errors, withoutIngress, notes: note && reports.length > 0 ? [note] : [] };
}

/**
 * Every Ingress already in `cluster`, each judged as an UPDATE of itself (existingRequest), in
 * namespace/name order. `description` names the cluster in the output (source of each report).
 */
export function checkExisting(cluster: ClusterSnapshot, description: string, input: Pick<CheckInput, 'rules' | 'options' | 'logger' | 'now'>): CheckResult {
  const deps = { cluster, synced: () => true, rules: input.rules, options: input.options, logger: input.logger, now: () => input.now ?? new Date() };
  const ingresses = [...cluster.ingresses()].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
  const reports = ingresses.map((ingress) => reportOf(description, existingRequest(ingress), deps));
  const notes = reports.length === 0 ? [`the cluster (${description}) holds no Ingress`] : [];
  return { reports, objects: ingresses, denied: reports.filter((r) => !r.allowed).length, errors: [], withoutIngress: [], notes, cluster: description };
}

/** How long `check --kubeconfig` waits for the first list of every kind. */
const CLUSTER_SYNC_TIMEOUT_MS = 60_000;

/**
 * `gatehouse check --kubeconfig`: lists the cluster through the webhook's own live snapshot source,
 * then judges every Ingress in it (checkExisting). The cluster is check's input here, so failing
 * to reach it is an input error (exit 2), as an unreadable file is.
 */
export async function runClusterCheck(
  input: Pick<CheckInput, 'rules' | 'options' | 'logger' | 'now'> & { readonly kubeconfig: string; readonly env?: NodeJS.ProcessEnv; readonly syncTimeoutMs?: number },
): Promise<CheckResult> {
  let source: SnapshotSource;
  try {
    source = await openSnapshotSource({ snapshotPaths: [], kubeconfig: input.kubeconfig, ...(input.env ? { env: input.env } : {}) }, input.logger);
  } catch (err) {
    throw new GatehouseError('SNAPSHOT_READ', `--kubeconfig ${input.kubeconfig}: ${(err as Error).message}`, { cause: err });
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeoutMs = input.syncTimeoutMs ?? CLUSTER_SYNC_TIMEOUT_MS;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GatehouseError('SNAPSHOT_READ', `${source.description}: could not list the cluster's objects within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    await Promise.race([source.whenSynced(), timedOut]);
    return checkExisting(source.cluster, source.description, input);
  } finally {
    clearTimeout(timer);
    await source.stop();
  }
}

/** 2 when the input could not all be judged (or files held no Ingress at all), 1 on any denial, else 0. */
export function checkExitCode(result: CheckResult): number {
  const nothing = result.reports.length === 0 && result.cluster === undefined;
  if (result.errors.length > 0 || result.reports.some((r) => r.error !== undefined) || nothing) return 2;
  return result.denied > 0 ? 1 : 0;
}

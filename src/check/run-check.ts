import { classAnnotationPatch } from '../admission/mutate-class.js';
import { applyJsonPatch, type JsonPatchOp } from '../admission/json-patch.js';
import { addToSnapshot, loadFileSnapshot } from '../k8s/file-snapshot.js';
import { loadManifestFiles } from '../k8s/load-files.js';
import { snapshotKindOf } from '../k8s/kinds.js';
import { normalizeIngress } from '../k8s/normalize-ingress.js';
import { isOwned } from '../k8s/ownership.js';
import type { Ingress } from '../k8s/types.js';
import { runRules } from '../rules/run.js';
import type { Finding, Rule, RuleOptions } from '../rules/types.js';

/** The verdict on one Ingress from the checked files. */
export interface IngressReport {
  readonly source: string;
  readonly namespace: string;
  readonly name: string;
  /** False when the Ingress belongs to another controller: nothing was checked. */
  readonly owned: boolean;
  readonly allowed: boolean;
  readonly findings: readonly Finding[];
  /** The mutating webhook's patch, applied before the rules ran (as the API server does). */
  readonly patch: readonly JsonPatchOp[];
}

export interface CheckResult {
  readonly reports: readonly IngressReport[];
  readonly denied: number;
}

export interface CheckInput {
  readonly snapshotPaths: readonly string[];
  readonly files: readonly string[];
  readonly rules: readonly Rule[];
  readonly options: RuleOptions;
  readonly now?: Date;
}

/**
 * `gatehouse check`: the webhook's mutation and rules, offline. The files' own objects join the
 * snapshot, so an Ingress is judged together with the Services and Ingresses shipped beside it.
 */
export async function runCheck(input: CheckInput): Promise<CheckResult> {
  const { store } = await loadFileSnapshot(input.snapshotPaths);
  const loaded = await loadManifestFiles(input.files);
  addToSnapshot(store, loaded.map((l) => l.object));
  const reports: IngressReport[] = [];
  for (const { object, source } of loaded) {
    if (snapshotKindOf(object) !== 'Ingress') continue;
    const raw = object as Ingress;
    const namespace = raw.metadata?.namespace ?? 'default';
    const withNs = { ...raw, metadata: { ...raw.metadata, namespace } } as Ingress;
    const name = raw.metadata?.name ?? '';
    if (!isOwned(normalizeIngress(withNs), store, input.options.ownership)) {
      reports.push({ source, namespace, name, owned: false, allowed: true, findings: [], patch: [] });
      continue;
    }
    const mutation = classAnnotationPatch(withNs, store);
    const mutated = normalizeIngress(applyJsonPatch(withNs, mutation.patch));
    const run = runRules(input.rules, mutated, {
      cluster: store,
      options: input.options,
      operation: 'CREATE',
      now: input.now ?? new Date(),
    });
    if ('failedRule' in run) throw new Error(`rule ${run.failedRule} failed on ${namespace}/${name}: ${String(run.error)}`);
    const findings = [...mutation.warnings, ...run.findings];
    reports.push({
      source,
      namespace,
      name,
      owned: true,
      allowed: !findings.some((f) => f.severity === 'deny'),
      findings,
      patch: mutation.patch,
    });
  }
  return { reports, denied: reports.filter((r) => !r.allowed).length };
}

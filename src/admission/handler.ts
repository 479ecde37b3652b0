import type { Logger } from 'pino';
import { ANNOTATIONS_RULE_ID } from '../annotations/validate.js';
import { INGRESS_GROUPS, normalizeIngress } from '../k8s/normalize-ingress.js';
import { isOwned } from '../k8s/ownership.js';
import { SnapshotStore, type ClusterSnapshot } from '../k8s/snapshot.js';
import type { Ingress } from '../k8s/types.js';
import { runRules } from '../rules/run.js';
import type { Finding, Rule, RuleContext, RuleOptions } from '../rules/types.js';
import { annotationsOverLimit, MAX_ANNOTATIONS_BYTES } from './annotation-size.js';
import { allowed, errored, formatFinding, fromFindings, patched, type Decision } from './decision.js';
import { classAnnotationPatch } from './mutate-class.js';
import type { AdmissionRequest } from './review.js';

/** What the handlers need: the cluster view, the rules and their options. */
export interface AdmissionDeps {
  readonly cluster: ClusterSnapshot;
  /** False while informers have not listed everything: cluster-dependent checks are skipped. */
  readonly synced: () => boolean;
  readonly rules: readonly Rule[];
  readonly options: RuleOptions;
  readonly logger: Logger;
  readonly now?: () => Date;
}

// A snapshot that covers no kind: rules skip every cluster-dependent check against it, so an
// unsynced cache can never cause a denial.
const UNSYNCED: ClusterSnapshot = new SnapshotStore();
const UNSYNCED_WARNING =
  '[gatehouse] Gatehouse is still loading the cluster state; checks that need it (Services, Secrets, conflicts) were skipped';

const ANNOTATIONS_TOO_LARGE: Finding = {
  rule: ANNOTATIONS_RULE_ID,
  severity: 'deny',
  path: 'metadata.annotations',
  message: `the annotations total more than ${MAX_ANNOTATIONS_BYTES} bytes, the API server's limit; no other check was run`,
};

type Subject = { kind: 'skip'; reason: string } | { kind: 'bad'; message: string } | { kind: 'ingress'; ingress: Ingress; old?: Ingress };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes the Ingress under review, or says why there is nothing to check. */
function subjectOf(request: AdmissionRequest): Subject {
  if (request.kind.kind !== 'Ingress' || !INGRESS_GROUPS.includes(request.kind.group)) return { kind: 'skip', reason: 'not an Ingress' };
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return { kind: 'skip', reason: request.operation };
  if (request.subResource) return { kind: 'skip', reason: `subresource ${request.subResource}` };
  const obj = request.object;
  if (!isRecord(obj) || !isRecord(obj['metadata'])) return { kind: 'bad', message: 'request.object must be an Ingress with metadata' };
  if (obj['spec'] !== undefined && !isRecord(obj['spec'])) return { kind: 'bad', message: 'spec must be an object' };
  const apiVersion = `${request.kind.group}/${request.kind.version}`;
  const meta = obj['metadata'] as Record<string, unknown>;
  const raw = {
    ...obj,
    apiVersion,
    metadata: { ...meta, namespace: (meta['namespace'] as string | undefined) ?? request.namespace ?? 'default' },
  } as Ingress;
  const old = isRecord(request.oldObject) ? normalizeIngress({ ...(request.oldObject as unknown as Ingress), apiVersion }) : undefined;
  return { kind: 'ingress', ingress: normalizeIngress(raw), ...(old ? { old } : {}) };
}

function contextFor(deps: AdmissionDeps, request: AdmissionRequest, old: Ingress | undefined): RuleContext {
  return {
    cluster: deps.synced() ? deps.cluster : UNSYNCED,
    options: deps.options,
    operation: request.operation === 'UPDATE' ? 'UPDATE' : 'CREATE',
    now: deps.now?.() ?? new Date(),
    ...(old ? { oldIngress: old } : {}),
  };
}

/** `/validate`: runs every rule on an owned Ingress and aggregates the findings. */
export function handleValidate(request: AdmissionRequest, deps: AdmissionDeps): Decision {
  const subject = subjectOf(request);
  if (subject.kind === 'skip') return allowed();
  if (subject.kind === 'bad') return errored(400, subject.message);
  const ctx = contextFor(deps, request, subject.old);
  if (!isOwned(subject.ingress, ctx.cluster, deps.options.ownership)) return allowed();
  // The API server never sends such an object (annotation-size.ts); the rules' work and findings
  // grow with every annotation (150,000 keys: a second of CPU, ~60 MB of heap), so none runs.
  if (annotationsOverLimit(subject.ingress)) return fromFindings([ANNOTATIONS_TOO_LARGE]);
  const run = runRules(deps.rules, subject.ingress, ctx);
  if ('failedRule' in run) {
    deps.logger.error({ rule: run.failedRule, uid: request.uid, err: run.error }, 'rule failed');
    return errored(500, `Gatehouse rule ${run.failedRule} failed; the Ingress was not admitted (see the webhook's log)`, [run.failedRule]);
  }
  const decision = fromFindings(run.findings);
  return deps.synced() ? decision : { ...decision, warnings: [UNSYNCED_WARNING, ...decision.warnings] };
}

/** `/mutate`: converts the deprecated class annotation to spec.ingressClassName. */
export function handleMutate(request: AdmissionRequest, deps: AdmissionDeps): Decision {
  const subject = subjectOf(request);
  if (subject.kind === 'skip') return allowed();
  if (subject.kind === 'bad') return errored(400, subject.message);
  const ctx = contextFor(deps, request, subject.old);
  if (!isOwned(subject.ingress, ctx.cluster, deps.options.ownership)) return allowed();
  // The patch must address the object as the API server sent it, not our normalized copy.
  const { patch, warnings } = classAnnotationPatch(request.object as Ingress, ctx.cluster);
  return patched(patch, warnings.map(formatFinding));
}

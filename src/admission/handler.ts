import type { Logger } from 'pino';
import { ANNOTATIONS_RULE_ID } from '../annotations/validate.js';
import { INGRESS_GROUPS, normalizeIngress } from '../k8s/normalize-ingress.js';
import { isJudged } from '../k8s/ownership.js';
import { SnapshotStore, type ClusterSnapshot } from '../k8s/snapshot.js';
import type { Ingress } from '../k8s/types.js';
import { applyPolicy, isExemptNamespace, type AdmissionPolicy } from '../policy/action.js';
import { runRules } from '../rules/run.js';
import type { Finding, Rule, RuleContext, RuleOptions } from '../rules/types.js';
import { annotationsOverLimit, MAX_ANNOTATIONS_BYTES } from './annotation-size.js';
import { allowed, errored, formatFinding, fromFindings, patched, type Decision } from './decision.js';
import { decodeIngress, type ShapeProblem } from './decode-ingress.js';
import { applyJsonPatch, type JsonPatchOp } from './json-patch.js';
import { classAnnotationPatch, type ClassPatch } from './mutate-class.js';
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
  /** The policy in force, when it can change at run time (`--policy-file`); else `options.policy`. */
  readonly policy?: () => AdmissionPolicy;
}

// A snapshot that covers no kind: rules skip every cluster-dependent check against it, so an
// unsynced cache can never cause a denial.
const UNSYNCED: ClusterSnapshot = new SnapshotStore();
const UNSYNCED_WARNING =
  '[gatehouse] Gatehouse is still loading the cluster state; checks that need it (Services, Secrets, conflicts) were skipped';

/** A mutator: pure, from the Ingress as received to a JSON Patch and warnings (Pepr, controller-runtime's mutating handlers). */
type Mutator = (ingress: Ingress, cluster: ClusterSnapshot) => ClassPatch;

/** The mutators, in order, listed like the rules in rules/index.ts. */
const MUTATORS: readonly Mutator[] = [classAnnotationPatch];

const ANNOTATIONS_TOO_LARGE: Finding = {
  rule: ANNOTATIONS_RULE_ID,
  severity: 'deny',
  path: 'metadata.annotations',
  message: `the annotations total more than ${MAX_ANNOTATIONS_BYTES} bytes, the API server's limit; no other check was run`,
};

type Subject = { kind: 'skip'; reason: string } | { kind: 'bad'; message: string; problem?: ShapeProblem } | { kind: 'ingress'; ingress: Ingress; old?: Ingress };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes the Ingress under review (the one place that does), or says why there is nothing to check. */
function subjectOf(request: AdmissionRequest): Subject {
  if (request.kind.kind !== 'Ingress' || !INGRESS_GROUPS.includes(request.kind.group)) return { kind: 'skip', reason: 'not an Ingress' };
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return { kind: 'skip', reason: request.operation };
  if (request.subResource) return { kind: 'skip', reason: `subresource ${request.subResource}` };
  if (!isRecord(request.object) || !isRecord(request.object['metadata'])) return { kind: 'bad', message: 'request.object must be an Ingress with metadata' };
  const decoded = decodeIngress(request.object);
  if ('problem' in decoded) {
    const { problem } = decoded;
    return { kind: 'bad', message: `request.object is not a valid Ingress: ${problem.path}: ${problem.message}`, problem };
  }
  const obj = decoded.ingress;
  const apiVersion = `${request.kind.group}/${request.kind.version}`;
  const meta = obj['metadata'] as Record<string, unknown>;
  const raw = {
    ...obj,
    apiVersion,
    metadata: { ...meta, namespace: (meta['namespace'] as string | undefined) ?? request.namespace ?? 'default' },
  } as Ingress;
  const decodedOld = isRecord(request.oldObject) ? decodeIngress(request.oldObject) : undefined;
  const old = decodedOld && 'ingress' in decodedOld ? normalizeIngress({ ...(decodedOld.ingress as unknown as Ingress), apiVersion }) : undefined;
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

/** One admission step's result: the decision, and what `gatehouse check` reports beside it. */
export interface StepResult {
  readonly decision: Decision;
  /** False when nothing was judged: not an Ingress, DELETE, or another controller's Ingress. */
  readonly judged: boolean;
  /** Every finding of the step (a mutator's warnings, the rules' findings), after the policy. */
  readonly findings: readonly Finding[];
  /** Findings the policy admitted and only recorded (audit); not in `findings`. */
  readonly audited: readonly Finding[];
}

const skipped: StepResult = { decision: allowed(), judged: false, findings: [], audited: [] };

/** The id under which a decoding problem is reported as a finding (`gatehouse check`). */
export const MALFORMED_ID = 'malformed';

function malformed(subject: { message: string; problem?: ShapeProblem }): StepResult {
  const { path, message } = subject.problem ?? { path: 'request.object', message: subject.message };
  return { decision: errored(400, subject.message), judged: false, findings: [{ rule: MALFORMED_ID, severity: 'deny', path, message }], audited: [] };
}

/** The decision over findings once the policy has said what each becomes (policy/action.ts). */
function policed(findings: readonly Finding[], policy: AdmissionPolicy): StepResult {
  const after = applyPolicy(findings, policy);
  return { decision: fromFindings(after.findings, after.audited), judged: true, findings: after.findings, audited: after.audited };
}

/**
 * Validation: every rule on an owned Ingress, findings aggregated, then the policy applied — the
 * one place it is, so the webhook and `gatehouse check` (admit.ts) agree. A rule that throws still
 * denies with 500 whatever the policy: an unchecked object is never admitted.
 */
export function validateStep(request: AdmissionRequest, deps: AdmissionDeps): StepResult {
  const subject = subjectOf(request);
  if (subject.kind === 'skip') return skipped;
  if (subject.kind === 'bad') return malformed(subject);
  const ctx = contextFor(deps, request, subject.old);
  if (!isJudged(subject.ingress, ctx.cluster, deps.options.ownership)) return skipped;
  const policy = deps.policy?.() ?? deps.options.policy;
  // Read from the snapshot: an unsynced or unknown Namespace is never exempt.
  if (isExemptNamespace(ctx.cluster.namespace(subject.ingress.metadata.namespace ?? ''), policy)) return skipped;
  // The API server never sends such an object (annotation-size.ts); the rules' work and findings
  // grow with every annotation (150,000 keys: a second of CPU, ~60 MB of heap), so none runs.
  if (annotationsOverLimit(subject.ingress)) return policed([ANNOTATIONS_TOO_LARGE], policy);
  const run = runRules(deps.rules, subject.ingress, ctx);
  if ('failedRule' in run) {
    deps.logger.error({ rule: run.failedRule, uid: request.uid, err: run.error }, 'rule failed');
    const message = `Gatehouse rule ${run.failedRule} failed; the Ingress was not admitted (see the webhook's log)`;
    return { decision: errored(500, message, [run.failedRule]), judged: true, findings: [], audited: [] };
  }
  const result = policed(run.findings, policy);
  if (deps.synced()) return result;
  return { ...result, decision: { ...result.decision, warnings: [UNSYNCED_WARNING, ...result.decision.warnings] } };
}

/**
 * Mutation: each mutator, in order, patches the Ingress as the API server sent it (the patch
 * addresses that object, not our normalized copy); later mutators see earlier ones' patches.
 */
export function mutateStep(request: AdmissionRequest, deps: AdmissionDeps): StepResult {
  const subject = subjectOf(request);
  if (subject.kind === 'skip') return skipped;
  if (subject.kind === 'bad') return malformed(subject);
  const ctx = contextFor(deps, request, subject.old);
  // Every Ingress: each mutator decides what is its business (the class annotation is converted
  // for any controller's existing IngressClass).
  let object = request.object as Ingress;
  const patch: JsonPatchOp[] = [];
  const findings: Finding[] = [];
  for (const mutator of MUTATORS) {
    const result = mutator(object, ctx.cluster);
    if (result.patch.length > 0) object = applyJsonPatch(object, result.patch);
    patch.push(...result.patch);
    findings.push(...result.warnings);
  }
  const judged = findings.length > 0 || isJudged(subject.ingress, ctx.cluster, deps.options.ownership);
  return { decision: patched(patch, findings.map(formatFinding)), judged, findings, audited: [] };
}

/** `/validate`: runs every rule on an owned Ingress and aggregates the findings. */
export function handleValidate(request: AdmissionRequest, deps: AdmissionDeps): Decision {
  return validateStep(request, deps).decision;
}

/** `/mutate`: converts the deprecated class annotation to spec.ingressClassName. */
export function handleMutate(request: AdmissionRequest, deps: AdmissionDeps): Decision {
  return mutateStep(request, deps).decision;
}

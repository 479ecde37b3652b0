// The migration report (`gatehouse check --migration-report`): for each Ingress written for
// ingress-nginx, what the bundled controller does with every `nginx.ingress.kubernetes.io/*`
// annotation, and whether the Ingress would be served. Pure: it reads check's result and asks
// parseAnnotations — the function the webhook and the controller judge with — for the verdicts,
// so the report cannot say something the controller does not do.
import { controllerSupport, NGINX_ANNOTATION_PREFIX } from '../annotations/catalog.js';
import { ANNOTATIONS_RULE_ID, parseAnnotations, type AnnotationVerdict, type VerdictReason } from '../annotations/validate.js';
import { checkExitCode, type CheckResult, type InputError, type IngressReport } from '../check/run-check.js';
import type { Ingress, KubeObject } from '../k8s/types.js';
import { annotationPath } from '../rules/field-path.js';
import type { Finding, RuleOptions } from '../rules/types.js';

/** Why an annotation is refused or ignored: parseAnnotations' reasons, or another rule's denial. */
export type MigrationReason = VerdictReason | 'denied-by-rule';

/** One `nginx.ingress.kubernetes.io/*` annotation of an Ingress, as the controller treats it. */
export interface MigrationAnnotation {
  /** The full key. */
  readonly annotation: string;
  /** `unknown`: not a key Gatehouse knows; the controller ignores it. */
  readonly status: AnnotationVerdict['status'];
  /** Absent when rendered. */
  readonly reason?: MigrationReason;
  /** The feature it asks for, when the catalog names one other than the key itself. */
  readonly feature?: string;
  /** Why it is refused or ignored, in the words of the webhook's finding. */
  readonly message?: string;
  /** How Gatehouse's handling differs from ingress-nginx's (the catalog's `differs`). */
  readonly differs?: string;
  /** Other rules' findings about this annotation (rewrite-target against its paths, a cross-namespace reference). */
  readonly findings: readonly Finding[];
}

/**
 * What happens to the Ingress: `served` (every annotation rendered), `served-ignoring` (served,
 * but some annotations are ignored or unknown), `refused` (the controller does not serve it, or
 * the webhook denies it), `not-owned` (another controller's class: Gatehouse leaves it alone),
 * `error` (malformed: the API server would not hold it).
 */
export type MigrationOutcome = 'served' | 'served-ignoring' | 'refused' | 'not-owned' | 'error';

export interface MigrationIngress {
  readonly source: string;
  readonly namespace: string;
  readonly name: string;
  readonly outcome: MigrationOutcome;
  readonly annotations: readonly MigrationAnnotation[];
  /** check's other findings on this Ingress (not about an nginx annotation), after the policy. */
  readonly findings: readonly Finding[];
  /** Denials the policy only records (--mode audit): the webhook admits them. */
  readonly audited: readonly Finding[];
}

/** Ingress counts per outcome. */
export interface MigrationSummary {
  readonly ingresses: number;
  readonly served: number;
  readonly servedIgnoring: number;
  readonly refused: number;
  readonly notOwned: number;
  readonly errors: number;
}

export interface MigrationReport {
  readonly summary: MigrationSummary;
  readonly ingresses: readonly MigrationIngress[];
  /** Input problems (exit 2), as check reports them. */
  readonly errors: readonly InputError[];
  readonly notes: readonly string[];
  /** Set when the Ingresses came from a live cluster. */
  readonly cluster?: string;
}

function isAnnotationRule(f: Finding): boolean {
  return f.rule === ANNOTATIONS_RULE_ID;
}

/** One annotation: its verdict, the catalog's feature and difference note, other rules' findings on it. */
function annotationOf(verdict: AnnotationVerdict, report: IngressReport): MigrationAnnotation {
  const path = annotationPath(verdict.annotation);
  const findings = report.findings.filter((f) => f.path === path && !isAnnotationRule(f));
  const support = controllerSupport(verdict.annotation.slice(NGINX_ANNOTATION_PREFIX.length));
  // The annotations rule also denies an accepted value the controller cannot serve (a Secret in
  // another namespace or unusable): that denial is this annotation's too.
  const served = (f: Finding): boolean => f.path === path && f.severity === 'deny' && isAnnotationRule(f);
  const unservable = verdict.status !== 'refused' ? report.findings.find(served) : undefined;
  const denial = verdict.status !== 'refused' ? (findings.find((f) => f.severity === 'deny') ?? unservable) : undefined;
  const status = denial ? 'refused' : verdict.status;
  const reason = denial ? 'denied-by-rule' : verdict.reason;
  const message = denial ? `[${denial.rule}] ${denial.message}` : verdict.message;
  const key = verdict.annotation.slice(NGINX_ANNOTATION_PREFIX.length);
  return {
    annotation: verdict.annotation,
    status,
    ...(reason ? { reason } : {}),
    ...(support && support.feature !== key ? { feature: support.feature } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(support?.differs ? { differs: support.differs } : {}),
    findings: denial && denial !== unservable ? findings.filter((f) => f !== denial) : findings,
  };
}

function outcomeOf(report: IngressReport, rejected: boolean, annotations: readonly MigrationAnnotation[]): MigrationOutcome {
  if (report.error !== undefined) return 'error';
  if (!report.owned) return 'not-owned';
  if (rejected || !report.allowed || annotations.some((a) => a.status === 'refused')) return 'refused';
  return annotations.some((a) => a.status !== 'rendered') ? 'served-ignoring' : 'served';
}

/** The report on one Ingress: check's verdict on it, and parseAnnotations' verdicts with the same options. */
export function migrationIngress(report: IngressReport, object: KubeObject, options: RuleOptions): MigrationIngress {
  const parsed = parseAnnotations(object as Ingress, options, { verdicts: true });
  const annotations = parsed.verdicts.map((v) => annotationOf(v, report));
  const onAnnotation = new Set(parsed.verdicts.map((v) => annotationPath(v.annotation)));
  const other = (f: Finding): boolean => !isAnnotationRule(f) && !onAnnotation.has(f.path);
  return {
    source: report.source,
    namespace: report.namespace,
    name: report.name,
    outcome: outcomeOf(report, parsed.rejected, annotations),
    annotations,
    findings: report.findings.filter(other),
    audited: report.audited.filter(other),
  };
}

/** The migration report over check's result; `options` are the ones check judged with. */
export function migrationReport(result: CheckResult, options: RuleOptions): MigrationReport {
  const ingresses = result.reports.map((r, i) => migrationIngress(r, result.objects[i] ?? {}, options));
  const count = (o: MigrationOutcome): number => ingresses.filter((i) => i.outcome === o).length;
  const summary: MigrationSummary = {
    ingresses: ingresses.length,
    served: count('served'),
    servedIgnoring: count('served-ignoring'),
    refused: count('refused'),
    notOwned: count('not-owned'),
    errors: count('error'),
  };
  return { summary, ingresses, errors: result.errors, notes: result.notes, ...(result.cluster !== undefined ? { cluster: result.cluster } : {}) };
}

/**
 * Exit code of `check --migration-report`: 2 as check (input errors, a malformed Ingress, no
 * Ingress in FILEs), 1 when any Ingress is refused, else 0 — ignored and unknown annotations do
 * not fail CI.
 */
export function migrationExitCode(result: CheckResult, report: MigrationReport): number {
  if (checkExitCode(result) === 2) return 2;
  return report.summary.refused > 0 ? 1 : 0;
}

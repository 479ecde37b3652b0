// Judges the `nginx.ingress.kubernetes.io/*` annotations of an Ingress against the catalog.
// Schemas are compiled once, at module load; per Ingress the work is one pass over its
// annotations with no allocation beyond the result for annotations that are fine.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Ingress } from '../k8s/types.js';
import { annotationPath } from '../rules/field-path.js';
import { RISK_LEVELS, type Finding, type RiskLevel, type RuleOptions } from '../rules/types.js';
import {
  ANNOTATION_CATALOG,
  controllerSupport,
  isSnippetKey,
  NGINX_ANNOTATION_PREFIX,
  type AnnotationEntry,
  type AnnotationValues,
  type Support,
} from './catalog.js';
import { decode } from './decode.js';
import { CHECKING_FEATURES } from './features/index.js';
import { ANNOTATION_FORMATS } from './formats.js';
import { quoteValue } from './quote-value.js';
import { unsafeCharacter } from './safe-value.js';

/** Rule id on every finding made here. */
export const ANNOTATIONS_RULE_ID = 'annotations';

interface CompiledEntry {
  readonly entry: AnnotationEntry;
  readonly validate: ValidateFunction;
  readonly rank: number;
}

function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

function compileCatalog(): ReadonlyMap<string, CompiledEntry> {
  // strict: unknown keywords, unknown formats and type-less keywords are errors, so a typo in a
  // schema fails at startup (and in the catalog test) instead of silently accepting anything.
  const ajv = new Ajv({ strict: true, allErrors: false });
  for (const [name, validate] of Object.entries(ANNOTATION_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  const compiled = new Map<string, CompiledEntry>();
  for (const entry of ANNOTATION_CATALOG as readonly AnnotationEntry[]) {
    compiled.set(entry.key, { entry, validate: ajv.compile(entry.schema), rank: riskRank(entry.risk) });
  }
  return compiled;
}

const COMPILED = compileCatalog();

/** Which part of a list failed, in words, from ajv's first error. */
function schemaDetail(error: ErrorObject | undefined, value: unknown): string {
  if (!error || !Array.isArray(value)) return '';
  if (error.keyword === 'maxItems') return ` (at most ${String(error.params['limit'])} items)`;
  const match = /^\/(\d+)/.exec(error.instancePath);
  if (!match) return '';
  const index = Number(match[1]);
  return ` (item ${index + 1}, ${quoteValue(String(value[index]), 60)}, is not)`;
}

/** The outcome of judging one value: the decoded value, or why it is refused ("must …"). */
export type ValueVerdict = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

function judge(compiled: CompiledEntry, raw: unknown): ValueVerdict {
  const { entry, validate } = compiled;
  if (typeof raw !== 'string') return { ok: false, reason: 'must be a string (quote it in YAML)' };
  // The guard runs first and whatever the schema says: a schema that is too loose must not open
  // a hole, and naming the dangerous character tells the user more than a length would.
  // Annotations are capped at 256 KiB in total by the API server, so the scan is bounded.
  const unsafe = unsafeCharacter(raw, entry.charset ?? 'plain');
  if (unsafe !== undefined) return { ok: false, reason: `must not contain ${unsafe}` };
  if (raw.length > entry.maxLength) {
    return { ok: false, reason: `is ${raw.length} characters long; at most ${entry.maxLength} are allowed` };
  }
  const value = decode(entry.kind, raw);
  if (!validate(value)) return { ok: false, reason: `must be ${entry.expects}${schemaDetail(validate.errors?.[0], value)}` };
  const misfit = entry.fits?.(value);
  if (misfit !== undefined) return { ok: false, reason: misfit };
  return { ok: true, value };
}

/**
 * Judges one value of a catalog annotation (key without prefix), ignoring risk and flags: length
 * cap, universal guard, then the schema. Unknown keys are refused.
 */
export function checkAnnotationValue(key: string, raw: unknown): ValueVerdict {
  const compiled = COMPILED.get(key);
  if (!compiled) return { ok: false, reason: 'is not an annotation Gatehouse supports' };
  return judge(compiled, raw);
}

/**
 * Why an annotation is refused or not rendered: `snippets-disabled` (no --allow-snippet-annotations),
 * `not-implemented` (the controller does not implement its feature: refused or ignored as the catalog
 * says), `risk-level` (above --annotations-risk-level), `invalid-value`, `superseded` (another
 * annotation takes precedence), `no-effect` (needs another annotation), `unknown` (not a key
 * Gatehouse knows).
 */
export type VerdictReason = 'snippets-disabled' | 'not-implemented' | 'risk-level' | 'invalid-value' | 'superseded' | 'no-effect' | 'unknown';

/**
 * What the controller does with one `nginx.ingress.kubernetes.io/*` annotation: renders it, refuses
 * it (the whole Ingress with it), ignores it, or does not know it (ignored too). The migration report
 * shows these; they are the decisions behind `findings`, so the two cannot disagree.
 */
export interface AnnotationVerdict {
  /** The full key, with the prefix. */
  readonly annotation: string;
  readonly status: 'rendered' | 'refused' | 'ignored' | 'unknown';
  /** Absent when rendered. */
  readonly reason?: VerdictReason;
  /** The finding's message, when there is one. */
  readonly message?: string;
}

/** The accepted annotations of one Ingress and the findings about the others. */
export interface ParsedAnnotations {
  /** Typed values of accepted annotations only, keyed without the prefix. */
  readonly values: AnnotationValues;
  readonly findings: Finding[];
  /**
   * True when any annotation was denied. The controller must then skip the whole Ingress, never
   * render it without the annotation: dropping an allow-list or a redirect would fail open.
   */
  readonly rejected: boolean;
  /** One per `nginx.ingress.kubernetes.io/*` annotation, in the Ingress's order; empty unless asked for (`verdicts: true`). */
  readonly verdicts: readonly AnnotationVerdict[];
}

function finding(severity: Finding['severity'], key: string, message: string): Finding {
  return { rule: ANNOTATIONS_RULE_ID, severity, path: annotationPath(key), message };
}

const SNIPPETS_DISABLED =
  'snippet annotations are disabled: they insert raw nginx configuration ' +
  '(--allow-snippet-annotations with --annotations-risk-level critical lifts this, but the bundled controller does not render snippets yet)';

/** Denial of an annotation the controller refuses: serving the Ingress without it would fail open. */
function notImplemented(fullKey: string, support: Support): string {
  return `${fullKey} (${support.feature}) is not implemented by the bundled controller yet; the Ingress is refused rather than served without it`;
}

/** Warning for an annotation the controller ignores: harmless to serve without it. */
function ignored(support: Support): string {
  return `ignored: the bundled controller does not implement ${support.feature}; the Ingress is served without it`;
}

/**
 * Every `nginx.ingress.kubernetes.io/*` annotation of the Ingress, judged:
 * - `*-snippet` without `--allow-snippet-annotations` → deny (even when allowed, snippets are
 *   critical, so they also need `--annotations-risk-level critical`, as in ingress-nginx);
 * - an annotation the bundled controller refuses (catalog `controller: 'refuses'`, or a key of a
 *   refused family such as `auth-*`) → deny: serving the Ingress without it would fail open;
 * - an annotation the controller ignores → warn; a key Gatehouse does not know → warn "ignored";
 * - risk above `--annotations-risk-level` → deny;
 * - a value refused by the length cap, the universal guard or the schema → deny;
 * - an annotation that needs another one to have any effect → warn.
 * The controller skips an Ingress this rejects, so admission and rendering make one decision.
 * Never throws on bad input.
 */
export function parseAnnotations(ingress: Ingress, options: RuleOptions, want: { readonly verdicts?: boolean } = {}): ParsedAnnotations {
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const findings: Finding[] = [];
  // Only the migration report reads verdicts: the webhook and the renderer (every review, every
  // Ingress of every render) do not build them.
  const verdicts = want.verdicts ? new Map<string, AnnotationVerdict>() : undefined;
  /** Records the verdict on `fullKey` and, when it has a message, the finding that says it. */
  const decide = (fullKey: string, status: AnnotationVerdict['status'], reason?: VerdictReason, severity?: Finding['severity'], message?: string): void => {
    verdicts?.set(fullKey, { annotation: fullKey, status, ...(reason ? { reason } : {}), ...(message !== undefined ? { message } : {}) });
    if (severity && message !== undefined) findings.push(finding(severity, fullKey, message));
  };
  const annotations = ingress.metadata?.annotations;
  if (!annotations || typeof annotations !== 'object') return { values, findings, rejected: false, verdicts: [] };
  const allowedRank = riskRank(options.annotationsRiskLevel);
  let rejected = false;
  let accepted = 0;
  for (const fullKey of Object.keys(annotations)) {
    if (!fullKey.startsWith(NGINX_ANNOTATION_PREFIX)) continue;
    const key = fullKey.slice(NGINX_ANNOTATION_PREFIX.length);
    if (isSnippetKey(key) && !options.allowSnippetAnnotations) {
      decide(fullKey, 'refused', 'snippets-disabled', 'deny', SNIPPETS_DISABLED);
      rejected = true;
      continue;
    }
    const support = controllerSupport(key);
    if (support?.controller === 'refuses') {
      decide(fullKey, 'refused', 'not-implemented', 'deny', notImplemented(fullKey, support));
      rejected = true;
      continue;
    }
    const compiled = COMPILED.get(key);
    if (!compiled) {
      if (support) decide(fullKey, 'ignored', 'not-implemented', 'warn', ignored(support));
      else decide(fullKey, 'unknown', 'unknown', 'warn', 'ignored: Gatehouse does not support this annotation');
      continue;
    }
    if (compiled.rank > allowedRank) {
      const message = `risk ${compiled.entry.risk} is above the allowed level ${options.annotationsRiskLevel} (--annotations-risk-level)`;
      decide(fullKey, 'refused', 'risk-level', 'deny', message);
      rejected = true;
      continue;
    }
    const raw: unknown = annotations[fullKey];
    const verdict = judge(compiled, raw);
    if (!verdict.ok) {
      const shown = typeof raw === 'string' ? quoteValue(raw) : `of type ${raw === null ? 'null' : typeof raw}`;
      decide(fullKey, 'refused', 'invalid-value', 'deny', `invalid value ${shown}: ${verdict.reason}`);
      rejected = true;
      continue;
    }
    values[key] = verdict.value;
    accepted++;
    if (support?.controller === 'ignores') decide(fullKey, 'ignored', 'not-implemented', 'warn', ignored(support));
    else decide(fullKey, 'rendered');
  }
  if (accepted > 0 && crossCheck(values, annotations, decide)) rejected = true;
  return { values: values as AnnotationValues, findings, rejected, verdicts: verdicts ? [...verdicts.values()] : [] };
}

/** Findings only: what the `annotations` rule reports. */
export function validateAnnotations(ingress: Ingress, options: RuleOptions): Finding[] {
  return parseAnnotations(ingress, options).findings;
}

function requirementText(req: NonNullable<AnnotationEntry['requires']>): string {
  const key = NGINX_ANNOTATION_PREFIX + req.key;
  return req.equals === undefined ? key : `${key}: "${String(req.equals)}"`;
}

/** Records a verdict and its finding (parseAnnotations' `decide`). */
type Decide = (fullKey: string, status: AnnotationVerdict['status'], reason?: VerdictReason, severity?: Finding['severity'], message?: string) => void;

/**
 * Rules between annotations. Mutates `values` (drops what is ignored or refused) and records
 * verdicts with their findings; returns whether anything was denied.
 */
function crossCheck(values: Record<string, unknown>, annotations: Readonly<Record<string, string>>, decide: Decide): boolean {
  let denied = false;
  for (const key in values) {
    const req = (COMPILED.get(key) as CompiledEntry).entry.requires;
    if (!req) continue;
    const present = annotations[NGINX_ANNOTATION_PREFIX + req.key] !== undefined;
    // A required annotation that is present but was refused already has its own denial.
    if (present && !(req.key in values)) continue;
    if (!present || (req.equals !== undefined && values[req.key] !== req.equals)) {
      decide(NGINX_ANNOTATION_PREFIX + key, 'ignored', 'no-effect', 'warn', `has no effect without ${requirementText(req)}`);
    }
  }
  for (const feature of CHECKING_FEATURES) {
    for (const f of feature.check!(values)) {
      if (f.drop) delete values[f.key];
      const fullKey = NGINX_ANNOTATION_PREFIX + f.key;
      if (f.severity === 'deny') {
        decide(fullKey, 'refused', 'invalid-value', 'deny', f.message);
        denied = true;
      } else {
        // A warning on a value still used leaves it rendered; a dropped one was superseded.
        decide(fullKey, f.drop ? 'ignored' : 'rendered', f.drop ? 'superseded' : undefined, 'warn', f.message);
      }
    }
  }
  return denied;
}

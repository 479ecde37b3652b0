import type { Finding } from '../rules/types.js';
import type { JsonPatchOp } from './json-patch.js';
import { cutText, MAX_LISTED_PROBLEMS, MAX_PROBLEM_CHARS, MAX_WARNINGS } from './response-limits.js';

/**
 * What the webhook decided: a value, never an exception (controller-runtime's admission.Response).
 * `code`/`message` go into `response.status` when not allowed.
 */
export interface Decision {
  readonly allowed: boolean;
  readonly code?: number;
  readonly message?: string;
  readonly warnings: readonly string[];
  /** Warnings left out of `warnings`, only counted: a review can produce 150,000 (response-limits.ts). */
  readonly omittedWarnings?: number;
  readonly patch?: readonly JsonPatchOp[];
  /** Rule ids behind the verdict, for logs and metrics. */
  readonly rules: readonly string[];
  /** Every finding (deny and warn), for metrics. */
  readonly findings?: readonly Finding[];
  /** Findings the policy turned into audit records: allowed, sent as auditAnnotations. */
  readonly audited?: readonly Finding[];
}

/** `[rule-id] field.path: message` — the one format of every denial line and warning. */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.path}: ${f.message}`;
}

export function allowed(warnings: readonly string[] = []): Decision {
  return { allowed: true, warnings, rules: [] };
}

/**
 * The denial's status.message: every problem counted, the first MAX_LISTED_PROBLEMS listed, each
 * cut to MAX_PROBLEM_CHARS (response-limits.ts). Only the listed lines are ever formatted.
 */
function denialMessage(denials: readonly Finding[]): string {
  const line = (f: Finding) => cutText(formatFinding(f), MAX_PROBLEM_CHARS);
  if (denials.length === 1) return `Ingress denied by Gatehouse: ${line(denials[0]!)}`;
  const lines = denials.slice(0, MAX_LISTED_PROBLEMS).map(line);
  const more = denials.length - lines.length;
  if (more > 0) lines.push(`… and ${more} more problem${more === 1 ? '' : 's'} (gatehouse check lists them all)`);
  return `Ingress denied by Gatehouse (${denials.length} problems):\n${lines.join('\n')}`;
}

/** The distinct rule ids of the findings, in order of first appearance. */
function ruleIdsOf(...lists: readonly (readonly Finding[])[]): string[] {
  // A loop over a short list, not a Set of spread copies: a few rules at most, every review.
  const ids: string[] = [];
  for (const list of lists) for (let i = 0; i < list.length; i++) if (!ids.includes(list[i]!.rule)) ids.push(list[i]!.rule);
  return ids;
}

/**
 * Denies with every deny finding counted and the first ones listed; warn findings become
 * warnings (the first MAX_WARNINGS formatted, the rest counted). `findings` keeps them all;
 * `audited` findings (policy/action.ts) never deny and are only recorded.
 */
export function fromFindings(findings: readonly Finding[], audited: readonly Finding[] = []): Decision {
  const denials = findings.filter((f) => f.severity === 'deny');
  const warned = findings.filter((f) => f.severity === 'warn');
  const warnings = warned.slice(0, MAX_WARNINGS).map(formatFinding);
  const omitted = warned.length > warnings.length ? { omittedWarnings: warned.length - warnings.length } : {};
  const rules = ruleIdsOf(findings, audited);
  const audit = audited.length > 0 ? { audited } : {};
  if (denials.length === 0) return { allowed: true, warnings, ...omitted, rules, findings, ...audit };
  return { allowed: false, code: 403, message: denialMessage(denials), warnings, ...omitted, rules, findings, ...audit };
}

/** A failure of Gatehouse itself (a rule threw): deny with 500 rather than let an unchecked object through. */
export function errored(code: number, message: string, rules: readonly string[] = []): Decision {
  return { allowed: false, code, message, warnings: [], rules };
}

export function patched(patch: readonly JsonPatchOp[], warnings: readonly string[]): Decision {
  return patch.length > 0 ? { allowed: true, patch, warnings, rules: [] } : allowed(warnings);
}

import type { Finding } from '../rules/types.js';
import type { JsonPatchOp } from './json-patch.js';

/**
 * What the webhook decided: a value, never an exception (controller-runtime's admission.Response).
 * `code`/`message` go into `response.status` when not allowed.
 */
export interface Decision {
  readonly allowed: boolean;
  readonly code?: number;
  readonly message?: string;
  readonly warnings: readonly string[];
  readonly patch?: readonly JsonPatchOp[];
  /** Rule ids behind the verdict, for logs and metrics. */
  readonly rules: readonly string[];
  /** Every finding (deny and warn), for metrics. */
  readonly findings?: readonly Finding[];
}

/** `[rule-id] field.path: message` — the one format of every denial line and warning. */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.path}: ${f.message}`;
}

export function allowed(warnings: readonly string[] = []): Decision {
  return { allowed: true, warnings, rules: [] };
}

/** Denies with every deny finding listed; warn findings become warnings. */
export function fromFindings(findings: readonly Finding[]): Decision {
  const denials = findings.filter((f) => f.severity === 'deny');
  const warnings = findings.filter((f) => f.severity === 'warn').map(formatFinding);
  const rules = [...new Set(findings.map((f) => f.rule))];
  if (denials.length === 0) return { allowed: true, warnings, rules, findings };
  const lines = denials.map(formatFinding);
  const message =
    lines.length === 1 ? `Ingress denied by Gatehouse: ${lines[0]}` : `Ingress denied by Gatehouse (${lines.length} problems):\n${lines.join('\n')}`;
  return { allowed: false, code: 403, message, warnings, rules, findings };
}

/** A failure of Gatehouse itself (a rule threw): deny with 500 rather than let an unchecked object through. */
export function errored(code: number, message: string, rules: readonly string[] = []): Decision {
  return { allowed: false, code, message, warnings: [], rules };
}

export function patched(patch: readonly JsonPatchOp[], warnings: readonly string[]): Decision {
  return patch.length > 0 ? { allowed: true, patch, warnings, rules: [] } : allowed(warnings);
}

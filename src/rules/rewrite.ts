import { APP_ROOT, rawAnnotation, regexEnabled, REWRITE_TARGET } from '../annotations/features/rewrite.js';
import type { Ingress, PathType } from '../k8s/types.js';
import { backtrackingProblem } from '../pcre/backtracking.js';
import { compileRegexLocation } from '../pcre/nginx-regex.js';
import { annotationPath, httpPath } from './field-path.js';
import { quote } from './quote.js';
import type { Finding, Rule, RuleOptions } from './types.js';

const ID = 'rewrite';

/**
 * Characters that make a path a regex. `.` is left out on purpose: `/v1.0` and `/file.txt` are
 * ordinary Prefix paths, and as a regex `.` still matches the literal dot.
 */
const REGEX_SYNTAX = /[\^$*+?()[\]{}|\\]/;

/**
 * Time one review may spend proving its regex paths free of catastrophic backtracking (each
 * path takes milliseconds once analysed, and verdicts are cached); the API server waits 5 s
 * (timeoutSeconds) for the whole review. A path left unanalysed past it is treated as unproven.
 */
const ANALYSIS_BUDGET_MS = 3_000;

/** Capture references of a rewrite-target as nginx's script compiler reads them. */
export interface CaptureReferences {
  /** Highest `$N` used (0 when none). */
  readonly highest: number;
  /** References nginx rejects (`${1}`, `$0`): deny. */
  readonly invalid: readonly string[];
  /** `$NN`: nginx takes one digit, so `$10` is `$1` then "0": warn. */
  readonly ambiguous: readonly string[];
}

/**
 * Scans `$` references like ngx_http_script_compile: `$1`..`$9` are captures (one digit only);
 * `${...}` and `$0` name variables, so `${1}` and `$0` fail `nginx -t` with `unknown "1" variable`
 * (checked against Debian's nginx 1.22.1).
 * https://github.com/nginx/nginx/blob/master/src/http/ngx_http_script.c
 * Other `$name` variables are the annotations rule's business.
 */
export function captureReferences(target: string): CaptureReferences {
  let highest = 0;
  const invalid: string[] = [];
  const ambiguous: string[] = [];
  for (let i = 0; i < target.length; i++) {
    if (target[i] !== '$') continue;
    const next = target[i + 1] ?? '';
    if (next >= '1' && next <= '9') {
      highest = Math.max(highest, Number(next));
      const digits = /^\d+/.exec(target.slice(i + 1))![0];
      if (digits.length > 1) ambiguous.push(`$${digits}`);
    } else if (next === '0') {
      invalid.push(`$${/^\d+/.exec(target.slice(i + 1))![0]}`);
    } else if (next === '{') {
      const braced = /^\{\d+\}/.exec(target.slice(i + 1));
      if (braced) invalid.push(`$${braced[0]}`);
    }
  }
  return { highest, invalid, ambiguous };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function targetFindings(target: string, refs: CaptureReferences): Finding[] {
  const path = annotationPath(REWRITE_TARGET);
  const findings: Finding[] = [];
  for (const ref of new Set(refs.invalid)) {
    const hint = ref.startsWith('${') ? `; write "$${ref.slice(2, -1)}"` : '; captures are $1 to $9';
    findings.push({
      rule: ID,
      severity: 'deny',
      path,
      message: `rewrite-target ${quote(target)} contains ${quote(ref)}, which nginx reads as a variable name and rejects${hint}`,
    });
  }
  for (const ref of new Set(refs.ambiguous)) {
    findings.push({
      rule: ID,
      severity: 'warn',
      path,
      message: `rewrite-target ${quote(target)} contains ${quote(ref)}, which nginx reads as capture $${ref[1]} followed by ${quote(ref.slice(2))} (captures are $1 to $9)`,
    });
  }
  return findings;
}

function pathFindings(ingress: Ingress, target: string | undefined, highest: number, options: RuleOptions): Finding[] {
  const findings: Finding[] = [];
  const deadline = performance.now() + ANALYSIS_BUDGET_MS;
  (ingress.spec?.rules ?? []).forEach((rule, r) => {
    (rule.http?.paths ?? []).forEach((p, j) => {
      // ingress-nginx serves an empty path as "/".
      const path = typeof p.path === 'string' && p.path !== '' ? p.path : '/';
      const pathType: PathType = p.pathType ?? 'ImplementationSpecific';
      const field = httpPath(r, j);
      if (pathType !== 'ImplementationSpecific' && REGEX_SYNTAX.test(path)) {
        findings.push({
          rule: ID,
          severity: 'deny',
          path: `${field}.pathType`,
          message: `path ${quote(path)} contains regex syntax but pathType is ${pathType}; regex paths need pathType ImplementationSpecific`,
        });
      }
      const check = compileRegexLocation(path);
      if (!check.ok) {
        findings.push({
          rule: ID,
          severity: 'deny',
          path: `${field}.path`,
          message: `path ${quote(path)} is not a valid nginx (PCRE2) regular expression: ${check.message} at offset ${check.offset}`,
        });
        return;
      }
      if (target !== undefined && highest > check.captureCount) {
        findings.push({
          rule: ID,
          severity: 'deny',
          path: `${field}.path`,
          message:
            `rewrite-target ${quote(target)} refers to capture group ${highest} but path ${quote(path)} has ` +
            `${plural(check.captureCount, 'capture group')} (nginx would substitute an empty string)`,
        });
      }
      const backtracking = backtrackingProblem(path, deadline);
      if (backtracking) findings.push({ rule: ID, severity: options.regexRedos, path: `${field}.path`, message: `path ${quote(path)} ${backtracking}` });
    });
  });
  return findings;
}

function appRootFindings(ingress: Ingress): Finding[] {
  const appRoot = rawAnnotation(ingress, APP_ROOT);
  if (appRoot === undefined || appRoot.startsWith('/')) return [];
  return [
    {
      rule: ID,
      severity: 'deny',
      path: annotationPath(APP_ROOT),
      message: `app-root ${quote(appRoot)} must be an absolute path starting with "/"`,
    },
  ];
}

/**
 * With rewrite-target or use-regex, every path is compiled by the system's PCRE2 exactly as nginx
 * would (`~* "^path"`) — which also refuses a named capture that would redefine an nginx variable
 * (pcre/nginx-variables.ts) — every `$N` of rewrite-target must exist in every path, and regex paths
 * need pathType ImplementationSpecific. Each regex must be proven free of catastrophic backtracking
 * (pcre/backtracking.ts; denied, or with `--regex-redos warn` a warning). app-root must be
 * absolute. Throws only when libpcre2-8 or the analyser cannot be loaded (the review then fails
 * with 500 instead of skipping the check).
 * Note: ingress-nginx also turns on regex for the other Ingresses of the same host; this rule
 * only judges the Ingress under review.
 */
export const rewriteRule: Rule = {
  id: ID,
  doc: 'With rewrite-target or use-regex, paths are valid PCRE2 (as nginx compiles them) with no named capture that is an nginx variable, free of catastrophic backtracking (--regex-redos), $N exists in every path, regex paths are ImplementationSpecific; app-root is absolute.',
  check(ingress, ctx) {
    const findings = appRootFindings(ingress);
    if (!regexEnabled(ingress)) return findings;
    const target = rawAnnotation(ingress, REWRITE_TARGET);
    const refs = target === undefined ? undefined : captureReferences(target);
    if (target !== undefined && refs) findings.push(...targetFindings(target, refs));
    findings.push(...pathFindings(ingress, target, refs?.highest ?? 0, ctx.options));
    return findings;
  },
};

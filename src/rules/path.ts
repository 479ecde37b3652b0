import type { PathType } from '../k8s/types.js';
import { locationPathOf } from '../nginx/location-path.js';
import { httpPath } from './field-path.js';
import { quote } from './quote.js';
import { regexEnabled } from '../annotations/features/rewrite.js';
import type { Finding, Rule } from './types.js';

const ID = 'path';

/** Exact and Prefix paths: the characters a literal URL path needs, nothing nginx could parse. */
const LITERAL_CHAR = /[A-Za-z0-9/._~-]/;
const LITERAL_PATH = /^\/[A-Za-z0-9/._~-]*$/;
/**
 * Never valid in any path: they end or comment out an nginx directive or string (`;`, `#`,
 * quotes, backtick), or split the config line (control characters, whitespace).
 * Path injections in ingress-nginx: https://nvd.nist.gov/vuln/detail/CVE-2021-25745 and
 * https://nvd.nist.gov/vuln/detail/CVE-2022-4886
 */
const INJECTION_CHAR = /[\x00-\x1f\x7f\s;#"'`]/;
const REGEX_HINT =
  'use pathType: ImplementationSpecific with nginx.ingress.kubernetes.io/use-regex: "true" for regular expressions';
const USE_REGEX_HINT = 'set nginx.ingress.kubernetes.io/use-regex: "true" if it is a regular expression';
/** The API server refuses any other spelling ("Unsupported value"), case included. https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types */
const PATH_TYPES: readonly string[] = ['Exact', 'Prefix', 'ImplementationSpecific'];

function pathTypeProblem(pathType: string): string {
  const near = PATH_TYPES.find((t) => t.toLowerCase() === pathType.toLowerCase());
  const options = PATH_TYPES.map((t) => quote(t)).join(', ');
  return `unsupported value ${quote(pathType)}: must be one of ${options}${near ? ` (did you mean ${quote(near)}?)` : ''}`;
}

/** Distinct offending characters named in one message; a hostile path can have thousands. */
const MAX_CHARS_LISTED = 5;

/** Distinct characters of `path` for which `bad` holds, in order of appearance (a few past the listing cap). */
function offending(path: string, bad: (c: string) => boolean): string[] {
  const seen = new Set<string>();
  for (const c of path) {
    if (bad(c)) seen.add(c);
    if (seen.size > MAX_CHARS_LISTED) break;
  }
  return [...seen];
}

function listChars(chars: readonly string[]): string {
  const shown = chars.slice(0, MAX_CHARS_LISTED).map((c) => quote(c));
  return chars.length > MAX_CHARS_LISTED ? `${shown.join(', ')}, …` : shown.join(', ');
}

/**
 * What the controller cannot render, as the controller decides it (nginx/location-path.ts), so no
 * admitted path is skipped later. PCRE2's own refusals are left to the rewrite rule, which reports
 * them with the offset.
 */
function renderProblem(path: string, pathType: PathType, regex: boolean): string | undefined {
  const location = locationPathOf(path, pathType, regex);
  if (location.ok || location.kind === 'pcre') return undefined;
  const label = pathType === 'ImplementationSpecific' ? 'path' : `${pathType} path`;
  const hint = location.kind === 'characters' && location.match === 'prefix' && pathType === 'ImplementationSpecific' ? `; ${USE_REGEX_HINT}` : '';
  return `${label} ${quote(path)} ${location.reason}${hint}`;
}

/** The message for one path, or undefined when it is fine. Both problems are named at once. */
function pathProblem(path: string, pathType: PathType): string | undefined {
  const label = pathType === 'ImplementationSpecific' ? 'path' : `${pathType} path`;
  const problems: string[] = [];
  if (pathType === 'ImplementationSpecific') {
    // The API server allows an empty ImplementationSpecific path (the controller picks a default).
    if (path === '') return undefined;
    if (!path.startsWith('/')) problems.push('must start with "/"');
    if (INJECTION_CHAR.test(path)) {
      const bad = offending(path, (c) => INJECTION_CHAR.test(c));
      problems.push(`contains ${listChars(bad)}, which no path may contain (control characters, whitespace, ";", "#", quotes)`);
    }
  } else {
    if (LITERAL_PATH.test(path)) return undefined;
    if (!path.startsWith('/')) problems.push('must start with "/"');
    const bad = offending(path, (c) => !LITERAL_CHAR.test(c));
    if (bad.length > 0) {
      const onlyRegexSyntax = bad.every((c) => !INJECTION_CHAR.test(c));
      problems.push(
        `contains ${listChars(bad)}; ${pathType} paths may only contain "/", letters, digits, ".", "_", "-" and "~"` +
          (onlyRegexSyntax ? `; ${REGEX_HINT}` : ''),
      );
    }
  }
  return problems.length === 0 ? undefined : `${label} ${quote(path)} ${problems.join('; it ')}`;
}

/**
 * Paths cannot smuggle nginx configuration. `Exact` and `Prefix` paths are literal: only
 * `/`, letters, digits, `.`, `_`, `-`, `~` (as ingress-nginx's `strict-validate-path-type`).
 * `ImplementationSpecific` paths may be regular expressions, so regex metacharacters
 * (`{ } ( ) [ ] \ $ ^ * + ? |`) are allowed here and the `rewrite` rule checks the regex with
 * PCRE; what is denied is what no regex needs and nginx.conf injection does: control characters,
 * whitespace, `;`, `#`, quotes and backticks. Then whatever else the controller could not render
 * is denied too, by the controller's own decision: regex syntax in a path that is not a regex
 * (no use-regex), non-ASCII or nginx string escapes in a regex, more than 2048 characters.
 */
export const pathRule: Rule = {
  id: ID,
  doc: 'pathType is Exact, Prefix or ImplementationSpecific, spelt so; Exact/Prefix paths are literal (/, letters, digits, . _ - ~); no path may contain control characters, whitespace, ; # or quotes; every path is one the controller can render.',
  check(ingress) {
    const findings: Finding[] = [];
    const regex = regexEnabled(ingress);
    (ingress.spec?.rules ?? []).forEach((rule, r) => {
      (rule.http?.paths ?? []).forEach((p, i) => {
        const pathType = p.pathType ?? 'ImplementationSpecific';
        if (!PATH_TYPES.includes(pathType)) {
          findings.push({ rule: ID, severity: 'deny', path: `${httpPath(r, i)}.pathType`, message: pathTypeProblem(pathType) });
          return;
        }
        const value = typeof p.path === 'string' ? p.path : '';
        const message = pathProblem(value, pathType) ?? renderProblem(value, pathType, regex);
        if (message) findings.push({ rule: ID, severity: 'deny', path: `${httpPath(r, i)}.path`, message });
      });
    });
    return findings;
  },
};

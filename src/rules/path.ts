import type { PathType } from '../k8s/types.js';
import { httpPath } from './field-path.js';
import { quote } from './quote.js';
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
 * whitespace, `;`, `#`, quotes and backticks.
 */
export const pathRule: Rule = {
  id: ID,
  doc: 'Exact/Prefix paths are literal (/, letters, digits, . _ - ~); no path may contain control characters, whitespace, ; # or quotes.',
  check(ingress) {
    const findings: Finding[] = [];
    (ingress.spec?.rules ?? []).forEach((rule, r) => {
      (rule.http?.paths ?? []).forEach((p, i) => {
        const pathType = p.pathType ?? 'ImplementationSpecific';
        const value = typeof p.path === 'string' ? p.path : '';
        const message = pathProblem(value, pathType);
        if (message) findings.push({ rule: ID, severity: 'deny', path: `${httpPath(r, i)}.path`, message });
      });
    });
    return findings;
  },
};

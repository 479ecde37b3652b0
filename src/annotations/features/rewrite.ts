import { ABSOLUTE_PATH, BOOLEAN, BOOLEAN_MAX_LENGTH, patternSchema, type AnnotationEntry } from '../entry.js';
import { quoted, regexLiteral } from '../../nginx/escape.js';
import type { Ingress } from '../../k8s/types.js';
import { decode } from '../decode.js';
import { defineFeature } from '../feature.js';

/** Path rewriting. https://kubernetes.github.io/ingress-nginx/examples/rewrite/ */
export const REWRITE_ANNOTATIONS = [
  {
    key: 'rewrite-target',
    controller: 'renders',
    kind: 'string',
    // `$` is allowed only as a capture reference `$1`..`$9`; the rewrite rule checks each against
    // the capture groups of every path.
    schema: patternSchema('^/[A-Za-z0-9._~%!&()*+,=:@/?$-]*$', 1024),
    charset: 'capture-refs',
    maxLength: 1024,
    risk: 'medium',
    doc: 'Path the backend sees instead of the matched one; `$1`..`$9` insert capture groups of a regex path (turns regex matching on).',
    expects: 'an absolute path such as / or /$2, where $ may only start a capture reference $1 to $9',
    examples: ['/$2', '/', '/api/$1'],
  },
  {
    key: 'use-regex',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Match the paths of this Ingress as PCRE regular expressions (pathType ImplementationSpecific).',
    expects: '"true" or "false"',
    examples: ['true', 'false'],
  },
  {
    key: 'app-root',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema(ABSOLUTE_PATH, 1024),
    maxLength: 1024,
    risk: 'medium',
    doc: 'Redirect requests for `/` to this path.',
    expects: 'an absolute path such as /app',
    examples: ['/app', '/app1/index.html'],
  },
] as const satisfies readonly AnnotationEntry[];

export interface RewriteConfig {
  /** Prefix/ImplementationSpecific paths are PCRE regexes (use-regex, or any rewrite-target). */
  readonly regex: boolean;
  /** rewrite-target, escaped; `$1`..`$9` are the location's capture groups. */
  readonly target?: string;
  /** app-root: requests for `/` are redirected here. */
  readonly appRoot?: string;
}

export const rewriteFeature = defineFeature({
  id: 'rewrite',
  entries: REWRITE_ANNOTATIONS,
  parse(read): RewriteConfig | undefined {
    const target = read.str('rewrite-target', 'rewrite');
    const appRoot = read.str('app-root', 'path');
    const regex = read.bool('use-regex') === true || target !== undefined;
    if (!regex && appRoot === undefined && !read.has('use-regex')) return undefined;
    return { regex, ...(target !== undefined ? { target } : {}), ...(appRoot !== undefined ? { appRoot } : {}) };
  },
  location(c, { match, path, proxies }) {
    // The regex `rewrite` matches is the location's own pattern, so `$1`.. are its capture
    // groups; `break` ends the rewrite phase, hence last (and only when the location proxies).
    const pattern = match === 'regex' ? `(?i)^${path}` : `^${regexLiteral(path)}`;
    return {
      ...(c.appRoot !== undefined ? { rewrite: ['if ($uri = /) {', `    return 302 ${quoted(c.appRoot)};`, '}'] } : {}),
      ...(c.target !== undefined && proxies ? { rewriteLast: [`rewrite ${quoted(pattern)} ${quoted(c.target)} break;`] } : {}),
    };
  },
});

/** Full keys, for rules that judge the raw values (field paths, diagnostics of what nginx would read). */
export const REWRITE_TARGET = 'nginx.ingress.kubernetes.io/rewrite-target';
export const USE_REGEX = 'nginx.ingress.kubernetes.io/use-regex';
export const APP_ROOT = 'nginx.ingress.kubernetes.io/app-root';

/** A raw annotation string of the Ingress. */
export function rawAnnotation(ingress: Ingress, key: string): string | undefined {
  const value = ingress.metadata?.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether nginx matches this Ingress's paths as regexes, read from its raw annotations the way
 * the catalog decodes them (rules judge Ingresses whose annotations may yet be refused):
 * ingress-nginx turns every location of the Ingress into `~* "^path"` when use-regex is true or
 * rewrite-target is set at all. For an admitted Ingress this is `parse`'s `regex`.
 */
export function regexEnabled(ingress: Ingress): boolean {
  const useRegex = rawAnnotation(ingress, USE_REGEX);
  return rawAnnotation(ingress, REWRITE_TARGET) !== undefined || (useRegex !== undefined && decode('boolean', useRegex) === true);
}

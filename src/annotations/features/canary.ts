import { createHash } from 'node:crypto';
import type { Ingress } from '../../k8s/types.js';
import { pcreProblem, quoted } from '../../nginx/escape.js';
import { backtrackingVerdictProblem, regexBacktracking } from '../../pcre/backtracking.js';
import { BOOLEAN, BOOLEAN_MAX_LENGTH, integerSchema, patternSchema, unimplemented, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { parseGoBool } from '../go-bool.js';

// Canary Ingresses, as ingress-nginx documents them:
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
// and as its balancer decides per request (rootfs/etc/nginx/lua/balancer.lua,
// route_to_alternative_balancer): header, then cookie, then weight. nginx/build-model.ts merges a
// canary into the main Ingress's location for the same host + route; render-location.ts picks the
// upstream by `$gh_canary`, which the lines below set.

const NEEDS_CANARY = { key: 'canary', equals: true } as const;

/** Longest canary-by-header-pattern: it is matched against a header on every request of the route. */
const MAX_PATTERN_LENGTH = 256;

/**
 * Why a header pattern is refused: not renderable as a PCRE (nginx/escape.ts), or it may backtrack
 * catastrophically (the rewrite rule's judgement, pcre/backtracking.ts): a client picks the header,
 * so a slow pattern is a request away from keeping nginx's workers busy.
 */
function headerPatternFits(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const problem = pcreProblem(value);
  if (problem) return problem;
  try {
    const why = backtrackingVerdictProblem(regexBacktracking(value));
    return why && `the pattern ${why}`;
  } catch (err) {
    return `could not be analysed for catastrophic backtracking: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Canary Ingresses: a second Ingress for the same host+path takes part of the traffic. */
export const CANARY_ANNOTATIONS = [
  {
    key: 'canary',
    controller: 'renders',
    differs:
      'a canary takes none of its own other annotations (the main Ingress\'s apply to the route, its Service is reached with the main\'s protocol and affinity), and a canary whose route has no main Ingress is reported (webhook and controller warnings) as well as left out.',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'This Ingress is the canary of the main Ingress serving the same host and path: it takes part of that route\'s traffic (by header, cookie, weight) and is not served on its own.',
    expects: '"true" or "false"',
    examples: ['true'],
  },
  {
    key: 'canary-weight',
    controller: 'renders',
    differs: 'the share is applied by nginx split_clients on the request id, to 0.01 % (a weight between 0 and the total never rounds to never or always); with cookie affinity on the route a session keeps its side.',
    kind: 'integer',
    schema: integerSchema(0, 100000),
    maxLength: 6,
    risk: 'low',
    doc: 'Share of requests (out of canary-weight-total) sent to the canary.',
    expects: 'a whole number from 0 to canary-weight-total (100 by default)',
    examples: ['10', '0', '100'],
    requires: NEEDS_CANARY,
  },
  {
    key: 'canary-weight-total',
    controller: 'renders',
    differs: 'a total below 100 is used as written (ingress-nginx\'s balancer uses 100 instead).',
    kind: 'integer',
    schema: integerSchema(1, 100000),
    maxLength: 6,
    risk: 'low',
    doc: 'Total that canary-weight is a share of (default 100).',
    expects: 'a whole number from 1 to 100000',
    examples: ['1000', '100'],
    requires: NEEDS_CANARY,
  },
  {
    key: 'canary-by-header',
    controller: 'renders',
    kind: 'string',
    // Letters, digits and `-`: nginx drops headers with `_` by default (underscores_in_headers).
    schema: patternSchema('^[A-Za-z0-9-]+$', 128),
    maxLength: 128,
    risk: 'low',
    doc: 'Request header that routes to the canary: `always` → canary, `never` → main (or canary-by-header-value / -pattern); other values fall through to the cookie and the weight.',
    expects: 'a header name of letters, digits and - (at most 128)',
    examples: ['X-Canary'],
    requires: NEEDS_CANARY,
  },
  {
    key: 'canary-by-header-value',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9._~+=/:@-]+$', 256),
    maxLength: 256,
    risk: 'medium',
    doc: 'Value of canary-by-header that routes to the canary (instead of `always`); other values fall through.',
    expects: 'letters, digits and . _ ~ + = / : @ - (at most 256)',
    examples: ['beta', 'user-42'],
    requires: { key: 'canary-by-header' },
  },
  {
    key: 'canary-by-header-pattern',
    controller: 'renders',
    differs:
      'a pattern that is not valid PCRE2 or may backtrack catastrophically is denied (ingress-nginx accepts it and never matches), `$` is allowed only as an end anchor and `\\` only before a class letter or punctuation, and an empty header never matches.',
    kind: 'string',
    schema: { type: 'string', minLength: 1, maxLength: MAX_PATTERN_LENGTH },
    charset: 'regex',
    maxLength: MAX_PATTERN_LENGTH,
    risk: 'medium',
    doc: 'PCRE the value of canary-by-header must match (case-sensitive, unanchored) to route to the canary; ignored when canary-by-header-value is set.',
    expects: `a PCRE2 regular expression of printable ASCII without quotes, proven free of catastrophic backtracking (at most ${MAX_PATTERN_LENGTH})`,
    examples: ['^Do[A-Z][a-z]+y$', '^(beta|internal)$'],
    fits: headerPatternFits,
    requires: { key: 'canary-by-header' },
  },
  {
    key: 'canary-by-cookie',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9_]+$', 64),
    maxLength: 64,
    risk: 'low',
    doc: 'Cookie that routes to the canary: `always` → canary, `never` → main; other values fall through to the weight.',
    expects: 'a cookie name of letters, digits and _ (at most 64)',
    examples: ['canary_user'],
    requires: NEEDS_CANARY,
  },
] as const satisfies readonly AnnotationEntry[];

export const CANARY_UNIMPLEMENTED = [
  // Only changes how a canary keeps sessions; the route's affinity cookie keys the weight instead.
  ...unimplemented('ignores', 'canary session affinity behaviour', ['affinity-canary-behavior'], 'The canary weight is keyed on the affinity cookie when the route has one, so a session stays on its side (ingress-nginx\'s sticky default).'),
];

/** How a canary Ingress picks requests, escaped; the other half of the route is the main Ingress's. */
export interface CanaryConfig {
  /** canary-weight out of canary-weight-total. */
  readonly weight: number;
  readonly weightTotal: number;
  /** Header name as written (`[A-Za-z0-9-]`). */
  readonly header?: string;
  /** Only this header value routes to the canary (instead of always/never). */
  readonly headerValue?: string;
  /** Only values matching this PCRE route to the canary (when no headerValue). */
  readonly headerPattern?: string;
  /** Cookie name (`[A-Za-z0-9_]`). */
  readonly cookie?: string;
  /**
   * The route has cookie affinity (set by build-model from the main Ingress): the weight is keyed on
   * the affinity cookie, so a session stays on the side it first got.
   */
  readonly sticky?: boolean;
}

/**
 * Whether an Ingress is a canary, read as the catalog reads `canary` (Go ParseBool spellings): the
 * one test the host-path-conflict rule and the controller share.
 */
export function isCanaryIngress(ingress: Ingress): boolean {
  return parseGoBool(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/canary']) === true;
}

/** nginx's split_clients resolution is 0.01 %: the weight in those units, never rounded to never or always. */
export function canaryBasisPoints(c: Pick<CanaryConfig, 'weight' | 'weightTotal'>): number {
  if (c.weight <= 0) return 0;
  if (c.weight >= c.weightTotal) return 10000;
  return Math.min(9999, Math.max(1, Math.round((c.weight * 10000) / c.weightTotal)));
}

function weightVariable(c: CanaryConfig, basisPoints: number): string {
  return `$gh_canary_${c.sticky ? 'sticky_' : ''}weight_${basisPoints}`;
}

function headerVariable(header: string): string {
  return `$http_${header.toLowerCase().replace(/-/g, '_')}`;
}

function patternVariable(header: string, pattern: string): string {
  return `$gh_canary_pattern_${createHash('sha256').update(`${header.toLowerCase()}\n${pattern}`).digest('hex').slice(0, 16)}`;
}

/**
 * Rewrite-phase lines that leave `$gh_canary` "1" for a request the canary takes, "" otherwise.
 * Later lines override earlier ones, so they are written weight, cookie, header: the reverse of
 * the precedence.
 */
function decisionLines(c: CanaryConfig): string[] {
  const lines = ['set $gh_canary "";'];
  const bp = canaryBasisPoints(c);
  if (bp === 10000) lines.push('set $gh_canary 1;');
  else if (bp > 0) lines.push(`if (${weightVariable(c, bp)}) {`, '    set $gh_canary 1;', '}');
  if (c.cookie !== undefined) {
    lines.push(`if ($cookie_${c.cookie} = always) {`, '    set $gh_canary 1;', '}');
    lines.push(`if ($cookie_${c.cookie} = never) {`, '    set $gh_canary "";', '}');
  }
  if (c.header !== undefined) {
    const variable = headerVariable(c.header);
    if (c.headerValue !== undefined) lines.push(`if (${variable} = ${quoted(c.headerValue)}) {`, '    set $gh_canary 1;', '}');
    else if (c.headerPattern !== undefined) lines.push(`if (${patternVariable(c.header, c.headerPattern)}) {`, '    set $gh_canary 1;', '}');
    else {
      lines.push(`if (${variable} = always) {`, '    set $gh_canary 1;', '}');
      lines.push(`if (${variable} = never) {`, '    set $gh_canary "";', '}');
    }
  }
  return lines;
}

/**
 * http-level lines: the weight's split_clients (on the request id, or the affinity cookie) and the
 * header pattern's map. A map tries exact keys before regexes, so an empty (or absent) header
 * never matches, as in ingress-nginx, whose balancer skips a header the request does not carry.
 */
function httpLines(c: CanaryConfig): string[] {
  const lines: string[] = [];
  const bp = canaryBasisPoints(c);
  if (bp > 0 && bp < 10000) {
    const percent = `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;
    lines.push(`split_clients ${c.sticky ? '$gh_affinity' : '$request_id'} ${weightVariable(c, bp)} {`, `    ${percent} 1;`, '    * "";', '}');
  }
  if (c.header !== undefined && c.headerValue === undefined && c.headerPattern !== undefined) {
    lines.push(`map ${headerVariable(c.header)} ${patternVariable(c.header, c.headerPattern)} {`, '    "" "";', `    ${quoted(`~${c.headerPattern}`)} 1;`, '}');
  }
  return lines;
}

export const canaryFeature = defineFeature({
  id: 'canary',
  check(values) {
    const weight = values['canary-weight'];
    const total = typeof values['canary-weight-total'] === 'number' ? values['canary-weight-total'] : 100;
    if (typeof weight !== 'number' || weight <= total) return [];
    return [{ key: 'canary-weight', severity: 'deny', drop: true, message: `invalid value "${weight}": must be at most canary-weight-total (${total})` }];
  },
  entries: CANARY_ANNOTATIONS,
  unimplemented: CANARY_UNIMPLEMENTED,
  parse(read): CanaryConfig | undefined {
    if (read.bool('canary') !== true) return undefined;
    const header = read.str('canary-by-header', 'header-name');
    const headerValue = header !== undefined ? read.str('canary-by-header-value', 'header') : undefined;
    // "when canary-by-header-value is set this annotation will be ignored"
    const headerPattern = header !== undefined && headerValue === undefined ? read.str('canary-by-header-pattern', 'pcre') : undefined;
    const cookie = read.str('canary-by-cookie', 'cookie');
    const weightTotal = read.int('canary-weight-total') ?? 100;
    // A weight above the total was dropped by `check` (and denied): never more than always.
    const weight = Math.min(read.int('canary-weight') ?? 0, weightTotal);
    return {
      weight,
      weightTotal,
      ...(header !== undefined ? { header } : {}),
      ...(headerValue !== undefined ? { headerValue } : {}),
      ...(headerPattern !== undefined ? { headerPattern } : {}),
      ...(cookie !== undefined ? { cookie } : {}),
    };
  },
  location(c) {
    return { rewrite: decisionLines(c) };
  },
  http(c) {
    return httpLines(c);
  },
});

// nginx matches regex locations with PCRE2, a backtracking matcher: a path such as `/x(a|aa)+$`
// costs 100–170 ms of nginx CPU per hostile request, and four connections raised another host's
// p50 from ~1 ms to 267 ms. Such regexes are found before they reach nginx by recheck
// (https://makenowjust-labs.github.io/recheck/), which proves a regex linear or finds an attack
// string, for exponential and polynomial (super-linear) backtracking alike. Its shape is read
// first (regex-shape.ts): a plainly linear path (`/app(/|$)(.*)`) needs no analysis, and one with
// too many ways to match a prefix is refused whatever recheck would say.
import { createRequire } from 'node:module';
import { LruCache } from './lru-cache.js';
import { regexLocationPattern } from './nginx-regex.js';
import { jsBacktrackingEquivalent } from './pcre-to-js.js';
import { regexShape } from './regex-shape.js';

/** `--regex-redos`: what a regex path that may backtrack catastrophically gets. */
export const REGEX_REDOS_MODES = ['deny', 'warn'] as const;
export type RegexRedosMode = (typeof REGEX_REDOS_MODES)[number];

/** recheck's verdict on one regex, as far as Gatehouse needs it. */
export type Backtracking =
  | { readonly verdict: 'safe' }
  /** `attack`: recheck's recipe for a hostile input, e.g. `'/x' + 'a'.repeat(30) + '!'`. */
  | { readonly verdict: 'exponential' | 'polynomial'; readonly degree?: number; readonly attack: string }
  /** So many ways to match one prefix that trying them all is ruinous, whatever the input's length. */
  | { readonly verdict: 'combinatorial'; readonly ways: number }
  /** Not proven either way: the analysis timed out, or the pattern uses syntax it cannot read. */
  | { readonly verdict: 'unknown'; readonly reason: string };

/**
 * Most ways a regex may have to match one prefix (regex-shape.ts). nginx tried 2^30 in 4.3 s for
 * one request; 2^20 take a few ms. Typical paths have a handful (`/app(/|$)(.*)`: 2).
 */
export const MAX_WAYS = 2 ** 20;

/**
 * Longest a single analysis may run. Linear paths take 5–250 ms on a busy 2-core machine, so
 * this leaves a wide margin; the webhook gets 5 s per review (timeoutSeconds) for all its paths.
 */
export const ANALYSIS_TIMEOUT_MS = 2_000;

interface RecheckDiagnostics {
  readonly status: 'safe' | 'vulnerable' | 'unknown';
  readonly complexity?: { readonly type: string; readonly degree?: number };
  readonly attack?: { readonly pattern: string };
  readonly error?: { readonly kind: string; readonly message?: string };
}
type CheckSync = (source: string, flags: string, params: Record<string, unknown>) => RecheckDiagnostics;

let checkSync: CheckSync | undefined;

/**
 * recheck's pure-JavaScript checker, run synchronously in this thread: no worker, no child
 * process, no native binary. recheck picks its synchronous backend from RECHECK_SYNC_BACKEND at
 * each call (its default starts a worker that spawns a bundled binary), so it is set around the
 * call. Loaded on first use: the ~3 MB library costs nothing until a regex path shows up.
 */
function recheck(source: string, timeoutMs: number): RecheckDiagnostics {
  checkSync ??= (createRequire(import.meta.url)('recheck') as { checkSync: CheckSync }).checkSync;
  const previous = process.env['RECHECK_SYNC_BACKEND'];
  process.env['RECHECK_SYNC_BACKEND'] = 'pure';
  try {
    // `i`: nginx's regex locations are caseless (`~*`); `s`: `.` matches every character, a
    // superset of PCRE2's `.` (all but \n), so the analysis is never laxer than nginx.
    return checkSync(source, 'is', { timeout: timeoutMs });
  } finally {
    if (previous === undefined) delete process.env['RECHECK_SYNC_BACKEND'];
    else process.env['RECHECK_SYNC_BACKEND'] = previous;
  }
}

function fromDiagnostics(d: RecheckDiagnostics): Backtracking {
  if (d.status === 'safe') return { verdict: 'safe' };
  if (d.status === 'vulnerable') {
    const attack = (d.attack?.pattern ?? '').slice(0, 200);
    if (d.complexity?.type === 'exponential') return { verdict: 'exponential', attack };
    return { verdict: 'polynomial', ...(d.complexity?.degree !== undefined ? { degree: d.complexity.degree } : {}), attack };
  }
  const kind = d.error?.kind ?? 'unexpected';
  const reason = kind === 'timeout' ? `the analysis did not finish within ${ANALYSIS_TIMEOUT_MS} ms` : `the analyser cannot read it (${kind}${d.error?.message ? `: ${d.error.message}` : ''})`;
  return { verdict: 'unknown', reason };
}

/** Verdicts by pattern; bounded in entries and bytes (keys are up to ~2 KB). */
const cache = new LruCache<string, Backtracking>({
  maxEntries: 10_000,
  maxBytes: 4 * 1024 * 1024,
  sizeOf: (key, b) => 96 + 2 * (key.length + ('attack' in b ? b.attack.length : 0) + ('reason' in b ? b.reason.length : 0)),
});

const UNREADABLE: Backtracking = Object.freeze({
  verdict: 'unknown',
  reason: 'it uses PCRE2 syntax the analyser cannot read (recursion, conditionals, backtracking verbs or an unknown escape)',
});
const OUT_OF_TIME: Backtracking = Object.freeze({ verdict: 'unknown', reason: 'the regex paths of this Ingress took too long to analyse together' });

/**
 * How the PCRE2 `pattern` (as nginx compiles it, caseless) backtracks. Verdicts are cached,
 * time-outs included, so a hostile pattern costs one analysis per process. `deadline`
 * (performance.now() time) bounds the analysis of several patterns together: past it, an
 * uncached pattern is not analysed (and that answer is not cached). Throws only when recheck
 * itself cannot be loaded: a check that cannot run must fail the review.
 */
export function regexBacktracking(pattern: string, deadline = Infinity): Backtracking {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const js = jsBacktrackingEquivalent(pattern);
  if (js === undefined) {
    cache.set(pattern, UNREADABLE);
    return UNREADABLE;
  }
  const shape = regexShape(js);
  if (shape.ways > MAX_WAYS || shape.plainlyLinear) {
    const verdict: Backtracking = Object.freeze(shape.ways > MAX_WAYS ? { verdict: 'combinatorial', ways: shape.ways } : { verdict: 'safe' });
    cache.set(pattern, verdict);
    return verdict;
  }
  const timeout = Math.floor(Math.min(ANALYSIS_TIMEOUT_MS, deadline - performance.now()));
  if (timeout <= 0) return OUT_OF_TIME;
  const result = Object.freeze(fromDiagnostics(recheck(js, timeout)));
  if (result.verdict === 'unknown' && timeout < ANALYSIS_TIMEOUT_MS) return OUT_OF_TIME;
  cache.set(pattern, result);
  return result;
}

/** How an Ingress path, as the regex location `~* "^<path>"`, backtracks. */
export function regexLocationBacktracking(path: string, deadline = Infinity): Backtracking {
  return regexBacktracking(regexLocationPattern(path), deadline);
}

/**
 * Why nginx should not match requests with this regex location (completes `path "/x" …`), or
 * undefined when it is proven linear. The one judgement both the rewrite rule and the renderer
 * apply; `--regex-redos` only decides whether it denies or warns.
 */
export function backtrackingProblem(path: string, deadline = Infinity): string | undefined {
  return backtrackingVerdictProblem(regexLocationBacktracking(path, deadline));
}

/** A verdict in words (completes `… "<regex>" …`), or undefined for a regex proven linear. */
export function backtrackingVerdictProblem(b: Backtracking): string | undefined {
  switch (b.verdict) {
    case 'safe':
      return undefined;
    case 'exponential':
      return `can take exponential time to match (catastrophic backtracking; e.g. ${b.attack}): a few such requests would keep nginx's workers busy for every host`;
    case 'polynomial':
      return `can take ${b.degree !== undefined ? `O(n^${b.degree})` : 'super-linear'} time to match (catastrophic backtracking; e.g. ${b.attack}): a few such requests would keep nginx's workers busy for every host`;
    case 'combinatorial':
      return `has ${b.ways >= Number.MAX_SAFE_INTEGER ? 'astronomically many' : `about ${b.ways.toExponential(1)}`} ways to match one prefix (alternatives × optional and repeated parts; at most ${MAX_WAYS} allowed): nginx may try them all on a single request`;
    case 'unknown':
      return `could not be proven free of catastrophic backtracking: ${b.reason}`;
  }
}

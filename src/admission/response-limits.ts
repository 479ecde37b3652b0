// How much one AdmissionReview answer may carry. Findings are data and a review can hold many:
// one 7 MiB review with 150,000 snippet annotations was answered with 34.5 MB, which the API
// server buffers, passes on to kubectl and may write to its audit log. The admission answer lists
// the first problems and counts the rest; `gatehouse check` (CI) prints every finding.

/**
 * Problems listed in a denial's status.message; the rest are counted ("… and K more problems").
 * A person reads the message in kubectl's error output and fixes the first ones; 50 covers every
 * path of a large hand-written Ingress.
 */
export const MAX_LISTED_PROBLEMS = 50;

/**
 * Characters of one listed problem: an annotation key alone may be 317 characters and messages
 * quote values cut at 100, so real lines fit; a longer one is cut with `…`. The same 1 KiB the API
 * server allows an Event's note. https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
 */
export const MAX_PROBLEM_CHARS = 1024;

/**
 * Ceiling on status.message whatever built it. A bounded denial (header, 50 lines of 1 KiB, the
 * count) stays under it; only an unexpected message is ever cut here.
 */
export const MAX_STATUS_MESSAGE_CHARS = 64 * 1024;

/**
 * Warnings reach the user as HTTP Warning headers. The API server keeps all warnings of a request
 * (from every webhook and itself) while they total at most 4096 characters; past that it cuts each
 * to 256 and drops the rest, and it drops any warning with a control character.
 * https://github.com/kubernetes/apiserver/blob/master/pkg/endpoints/filters/warning.go
 * (truncateAtTotalRunes, truncateItemRunes) and k8s.io/apimachinery/pkg/util/net NewWarningHeader.
 * 12 warnings and the "more" line, 256 characters each, total at most 3,328: ours arrive whole and
 * leave room for the API server's own (deprecations) and other webhooks'.
 */
export const MAX_WARNINGS = 12;
export const MAX_WARNING_CHARS = 256;

/** `text` cut to at most `max` UTF-16 units, ending in `…` when cut, never in half a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

// Unicode Cc: C0, DEL and C1, what Go's unicode.IsControl (and so NewWarningHeader) refuses.
const CONTROL = /\p{Cc}/gu;

function escapeControl(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * The warnings an AdmissionReview answer carries: the first MAX_WARNINGS, control characters
 * written as escapes, each cut to MAX_WARNING_CHARS, then one line counting those left out
 * (`omitted` were already left out before, uncounted in `warnings`).
 */
export function admissionWarnings(warnings: readonly string[], omitted = 0): string[] {
  const shown = warnings.slice(0, MAX_WARNINGS).map((w) => cutText(w.replace(CONTROL, escapeControl), MAX_WARNING_CHARS));
  const more = omitted + warnings.length - shown.length;
  if (more > 0) shown.push(`[gatehouse] … and ${more} more warning${more === 1 ? '' : 's'} (gatehouse check lists them all)`);
  return shown;
}

import type { Decision } from './decision.js';
import { mutateStep, validateStep, type AdmissionDeps } from './handler.js';
import { applyJsonPatch, type JsonPatchOp } from './json-patch.js';
import type { AdmissionRequest } from './review.js';
import type { Finding } from '../rules/types.js';

/** What the API server would make of one request passed through both webhooks. */
export interface Admission {
  /** The validating webhook's decision, or the mutating one's when it refused (a malformed object). */
  readonly decision: Decision;
  /** False when nothing was judged: not an Ingress, DELETE, another controller's Ingress, or malformed. */
  readonly judged: boolean;
  /** The mutating webhook's patch, applied before validation as the API server does. */
  readonly patch: readonly JsonPatchOp[];
  /** The mutators' warnings, then the rules' findings (or the decoding problem), after the policy. */
  readonly findings: readonly Finding[];
  /** Findings the policy admitted and only recorded (`--mode audit`, `--rule-action RULE=audit`). */
  readonly audited: readonly Finding[];
}

/**
 * The API server's admission sequence, in process: `/mutate`, apply its patch, `/validate` on the
 * patched object — the same steps the webhook serves, so `gatehouse check` cannot drift from it.
 * https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#what-are-admission-webhooks
 */
export function admit(request: AdmissionRequest, deps: AdmissionDeps): Admission {
  const mutation = mutateStep(request, deps);
  if (!mutation.decision.allowed) return { decision: mutation.decision, judged: false, patch: [], findings: mutation.findings, audited: [] };
  const patch = mutation.decision.patch ?? [];
  const object = patch.length > 0 ? applyJsonPatch(request.object, patch) : request.object;
  const validation = validateStep({ ...request, object }, deps);
  return {
    decision: validation.decision,
    judged: validation.judged,
    patch,
    findings: [...mutation.findings, ...validation.findings],
    audited: validation.audited,
  };
}

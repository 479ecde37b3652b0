import type { Ingress, IngressBackend } from '../k8s/types.js';
import { httpPath } from './field-path.js';

/** A backend reference and where it is: its rule and path, or -1 for `spec.defaultBackend`. */
export interface BackendRef {
  readonly backend: IngressBackend;
  readonly ruleIndex: number;
  readonly pathIndex: number;
}

/**
 * Every backend of an Ingress: `spec.defaultBackend`, then each rule path in order. Field paths are
 * built by backendPath only for a finding: three rules list every backend of every review, and
 * building each path up front was a tenth of a decision's allocation (issue 13, heap profile).
 */
export function backendsOf(ingress: Ingress): BackendRef[] {
  const refs: BackendRef[] = [];
  const def = ingress.spec?.defaultBackend;
  if (def) refs.push({ backend: def, ruleIndex: -1, pathIndex: -1 });
  const rules = ingress.spec?.rules ?? [];
  for (let r = 0; r < rules.length; r++) {
    const paths = rules[r]!.http?.paths ?? [];
    for (let i = 0; i < paths.length; i++) refs.push({ backend: paths[i]!.backend, ruleIndex: r, pathIndex: i });
  }
  return refs;
}

/** The field path of a backend's `backend` object, as the API server prints it. */
export function backendPath(ref: BackendRef): string {
  return ref.ruleIndex < 0 ? 'spec.defaultBackend' : `${httpPath(ref.ruleIndex, ref.pathIndex)}.backend`;
}

import type { Ingress, IngressBackend } from '../k8s/types.js';
import { httpPath } from './field-path.js';

/** A backend reference with the field path of its `backend` object. */
export interface BackendRef {
  readonly backend: IngressBackend;
  readonly path: string;
}

/** Every backend of an Ingress: `spec.defaultBackend`, then each rule path in order. */
export function backendsOf(ingress: Ingress): BackendRef[] {
  const refs: BackendRef[] = [];
  const def = ingress.spec?.defaultBackend;
  if (def) refs.push({ backend: def, path: 'spec.defaultBackend' });
  (ingress.spec?.rules ?? []).forEach((rule, r) => {
    (rule.http?.paths ?? []).forEach((p, i) => {
      refs.push({ backend: p.backend, path: `${httpPath(r, i)}.backend` });
    });
  });
  return refs;
}

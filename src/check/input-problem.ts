import { INGRESS_API_VERSIONS, isIngressApiVersion } from '../k8s/normalize-ingress.js';
import type { KubeObject } from '../k8s/types.js';

/** Kinds `check` reads or that share the Ingress's name; anything else is another object, left alone. */
const KNOWN_NEAR_INGRESS = new Set(['Ingress', 'IngressClass', 'IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP']);

/** Levenshtein distance, capped: kind names are short. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * What `check` makes of one object from FILEs: `'ingress'` to judge it, a message when the input
 * itself is wrong (kubeconform reports these as errors too: a missing kind, an unknown one), or
 * undefined for any other object (Services, Deployments: context for the Ingresses).
 * The API server matches kinds case-sensitively, so `kind: ingress` or `Ingres` would be refused.
 */
export function inputProblem(object: KubeObject): 'ingress' | string | undefined {
  const { kind, apiVersion } = object;
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
    return 'not a Kubernetes object: every manifest needs apiVersion and kind';
  }
  if (kind === 'AdmissionReview') {
    return 'an AdmissionReview, not a manifest: check judges manifests; put its request.object in a file to check it';
  }
  if (kind === 'Ingress') {
    if (isIngressApiVersion(apiVersion)) return 'ingress';
    return `Ingress with apiVersion "${apiVersion}", which no API server serves (use ${INGRESS_API_VERSIONS[0]})`;
  }
  if (KNOWN_NEAR_INGRESS.has(kind)) return undefined;
  if (distance(kind.toLowerCase(), 'ingress') <= 2) {
    return `kind "${kind}" is not a kind the API server knows; did you mean "Ingress"?`;
  }
  return undefined;
}

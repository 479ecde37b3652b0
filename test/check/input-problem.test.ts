import { describe, expect, test } from 'vitest';
import { inputProblem } from '../../src/check/input-problem.js';

describe('inputProblem', () => {
  test.for([
    ['an Ingress', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }, 'ingress'],
    ['a legacy Ingress', { apiVersion: 'extensions/v1beta1', kind: 'Ingress' }, 'ingress'],
    ['a Service (context)', { apiVersion: 'v1', kind: 'Service' }, undefined],
    ['a NetworkPolicy, same group as Ingress', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, undefined],
    ['an IngressClass', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass' }, undefined],
    ['a Traefik IngressRoute', { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute' }, undefined],
    ['kind: Ingres', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingres' }, 'kind "Ingres" is not a kind the API server knows; did you mean "Ingress"?'],
    ['kind: ingress (case)', { apiVersion: 'networking.k8s.io/v1', kind: 'ingress' }, 'kind "ingress" is not a kind the API server knows; did you mean "Ingress"?'],
    ['kind: Ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingresses' }, 'kind "Ingresses" is not a kind the API server knows; did you mean "Ingress"?'],
    ['an Ingress of an unserved version', { apiVersion: 'networking.k8s.io/v2', kind: 'Ingress' }, 'Ingress with apiVersion "networking.k8s.io/v2", which no API server serves (use networking.k8s.io/v1)'],
    ['an AdmissionReview', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'an AdmissionReview, not a manifest: check judges manifests; put its request.object in a file to check it'],
    ['no kind', { apiVersion: 'v1' }, 'not a Kubernetes object: every manifest needs apiVersion and kind'],
  ] as const)('%s', ([, object, expected]) => {
    expect(inputProblem(object)).toBe(expected);
  });
});

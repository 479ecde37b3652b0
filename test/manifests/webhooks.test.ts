import { describe, expect, test } from 'vitest';
import { find } from './load.js';

const service = find('Service', 'gatehouse-webhook');
const configurations = [
  ['ValidatingWebhookConfiguration', '/validate'],
  ['MutatingWebhookConfiguration', '/mutate'],
] as const;

describe.for(configurations)('%s', ([kind, path]) => {
  const config = find(kind, 'gatehouse');
  const hooks = config.webhooks as any[];

  test('has one webhook, with a fully qualified name', () => {
    expect(hooks).toHaveLength(1);
    // The API server requires at least three DNS labels in a webhook name.
    expect(hooks[0].name.split('.').length).toBeGreaterThanOrEqual(3);
  });

  test('accepts v1 and v1beta1 AdmissionReviews, has no side effects and fails closed', () => {
    expect(hooks[0]).toMatchObject({ admissionReviewVersions: ['v1', 'v1beta1'], sideEffects: 'None', failurePolicy: 'Fail', matchPolicy: 'Equivalent' });
  });

  test('times out quickly', () => {
    expect(hooks[0].timeoutSeconds).toBeGreaterThanOrEqual(1);
    expect(hooks[0].timeoutSeconds).toBeLessThanOrEqual(10);
  });

  test('sees networking.k8s.io/v1 Ingress CREATE and UPDATE only', () => {
    expect(hooks[0].rules).toEqual([
      { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'], scope: 'Namespaced' },
    ]);
  });

  test('leaves out the gatehouse and kube-system namespaces so it cannot block its own recovery', () => {
    expect(hooks[0].namespaceSelector).toEqual({
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['gatehouse', 'kube-system'] }],
    });
  });

  test(`calls ${path} on the webhook Service's port`, () => {
    expect(hooks[0].clientConfig.service).toEqual({ name: service.metadata.name, namespace: service.metadata.namespace, path, port: service.spec.ports[0].port });
  });

  test('leaves caBundle to certgen patch', () => {
    expect(hooks[0].clientConfig.caBundle).toBeUndefined();
  });
});

test('the mutating webhook is re-invoked if a later webhook changes the Ingress', () => {
  expect(find('MutatingWebhookConfiguration', 'gatehouse').webhooks[0].reinvocationPolicy).toBe('IfNeeded');
});

test('the IngressClass nginx is claimed by gatehouse.dev/ingress-controller', () => {
  expect(find('IngressClass', 'nginx').spec).toEqual({ controller: 'gatehouse.dev/ingress-controller' });
});

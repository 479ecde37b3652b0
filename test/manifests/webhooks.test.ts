import { describe, expect, test } from 'vitest';
import { CONTROLLER_FLAGS, controllerConfigFrom } from '../../src/config/controller-config.js';
import { parseFlags } from '../../src/config/flags.js';
import { WEBHOOK_FLAGS, webhookConfigFrom } from '../../src/config/webhook-config.js';
import { controllerInstall, INSTALLS_LOADED, webhookInstall, type LoadedInstall } from './load.js';

const configurations = [
  ['ValidatingWebhookConfiguration', '/validate'],
  ['MutatingWebhookConfiguration', '/mutate'],
] as const;

describe.for(INSTALLS_LOADED.flatMap((i) => configurations.map(([kind, path]) => [`${i.file}: ${kind}`, i, kind, path] as const)))('%s', ([, install, kind, path]) => {
  const service = install.find('Service', 'gatehouse-webhook');
  const config = install.find(kind, 'gatehouse');
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

/** Where a Deployment's container serves the admission webhook, by its own flags. */
function webhookPort(install: LoadedInstall): { deployment: string; port: number } {
  const [deployment] = install.all('Deployment');
  const [command, ...rest] = deployment!.spec.template.spec.containers[0].args as string[];
  if (command === 'webhook') return { deployment: deployment!.metadata.name, port: webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, rest)).listen.port };
  const config = controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, rest), {});
  return { deployment: deployment!.metadata.name, port: config.webhook!.listen.port };
}

describe.for([
  [webhookInstall.file, webhookInstall, 'gatehouse-webhook'],
  [controllerInstall.file, controllerInstall, 'gatehouse-controller'],
] as const)('%s', ([, install, serving]) => {
  test(`Service gatehouse-webhook reaches the webhook in the ${serving} Pods, on the port it listens on`, () => {
    const service = install.find('Service', 'gatehouse-webhook');
    const { deployment, port } = webhookPort(install);
    expect(deployment).toBe(serving);
    const pod = install.find('Deployment', deployment).spec.template;
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    const target = pod.spec.containers[0].ports.find((p: any) => p.name === service.spec.ports[0].targetPort);
    expect(target).toMatchObject({ containerPort: port, protocol: 'TCP' });
  });

  test('no other Service selects the webhook Pods on the webhook port', () => {
    const { port } = webhookPort(install);
    const others = install.all('Service').filter((s) => s.metadata.name !== 'gatehouse-webhook');
    const pod = install.find('Deployment', serving).spec.template.spec.containers[0];
    for (const s of others) for (const p of s.spec.ports) expect(pod.ports.find((c: any) => c.name === p.targetPort)?.containerPort).not.toBe(port);
  });
});

test('the mutating webhook is re-invoked if a later webhook changes the Ingress', () => {
  expect(webhookInstall.find('MutatingWebhookConfiguration', 'gatehouse').webhooks[0].reinvocationPolicy).toBe('IfNeeded');
});

test.for(INSTALLS_LOADED.map((i) => [i.file, i] as const))('%s claims IngressClass nginx for gatehouse.dev/ingress-controller', ([, install]) => {
  expect(install.find('IngressClass', 'nginx').spec).toEqual({ controller: 'gatehouse.dev/ingress-controller' });
});

import { dumpYaml, loadAllYaml } from '@kubernetes/client-node';
import { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { IngressClass, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { INSTALLS_LOADED, manifests, type Manifest } from './load.js';

// kubernetes-models: classes generated from the Kubernetes OpenAPI schemas; validate() throws
// with the failing JSON path. One entry per apiVersion/kind the manifests use.
type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'networking.k8s.io/v1/IngressClass': IngressClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': ValidatingWebhookConfiguration,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
};

const label = (m: Manifest) => `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

describe.for(INSTALLS_LOADED.map((i) => [i.file, i] as const))('manifests/%s', ([, install]) => {
  test.for(install.manifests.map((m) => [label(m), m] as const))('%s is valid for its API version', ([, m]) => {
    const model = MODELS[`${m.apiVersion}/${m.kind}`];
    expect(model, `no schema model for ${m.apiVersion}/${m.kind}`).toBeDefined();
    expect(() => new model!(m).validate()).not.toThrow();
  });

  // The JSON schemas allow unknown fields (the API server drops or rejects them); a typo such as
  // readOnlyRootFileSystem would pass. client-node's generated type map keeps only known fields,
  // so a round trip through it must give back every field we wrote.
  test.for(loadAllYaml(install.text).map((o, i) => [label(install.manifests[i]!), o, install.manifests[i]!] as const))('%s has no unknown fields', ([, typed, plain]) => {
    expect(parse(dumpYaml(typed))).toEqual(plain);
  });

  test('every object has a name, and namespaced objects live in gatehouse', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    for (const m of install.manifests) {
      expect(m.metadata.name, label(m)).toBeTruthy();
      expect(m.metadata.namespace, label(m)).toBe(clusterScoped.has(m.kind) ? undefined : 'gatehouse');
    }
  });

  test('every object is labelled app.kubernetes.io/name: gatehouse (what `kubectl get -l` and uninstalling select)', () => {
    for (const m of install.manifests) expect((m.metadata as any).labels?.['app.kubernetes.io/name'], label(m)).toBe('gatehouse');
  });

  test('no two objects share a kind and name', () => {
    const ids = install.manifests.map((m) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the schema checks', () => {
  test('refuse a broken object', () => {
    const broken = structuredClone(manifests.find((m) => m.kind === 'Deployment')!);
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken).validate()).toThrow(/replicas must be integer/);
  });

  test('catch a misspelt field', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 1}], selektor: {a: b}}\n';
    const [typed] = loadAllYaml(text);
    expect(parse(dumpYaml(typed))).not.toEqual(parse(text));
  });
});

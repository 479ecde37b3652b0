import { describe, expect, test } from 'vitest';
import { CONTROLLER_FLAGS, controllerConfigFrom } from '../../src/config/controller-config.js';
import { parseFlags } from '../../src/config/flags.js';
import { controllerInstall, INSTALLS_LOADED, webhookInstall, type LoadedInstall } from './load.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** Every (apiGroup, resource, verb) a rule list grants, with the names it is limited to. */
function grants(rules: Rule[]): string[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g || 'core'}/${res}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`))),
  );
}

const grantsOf = (install: LoadedInstall, kind: string, name: string): string[] => grants(install.find(kind, name).rules).sort();

const jobArg = (install: LoadedInstall, job: string, flag: string): string => {
  const arg = (install.find('Job', job).spec.template.spec.containers[0].args as string[]).find((a) => a.startsWith(`--${flag}=`));
  return arg!.slice(flag.length + 3);
};

/** What the cache lists and watches, cluster-wide: the webhook's and the controller's alike. */
const READS = ['core/configmaps', 'core/namespaces', 'core/secrets', 'core/services', 'discovery.k8s.io/endpointslices', 'networking.k8s.io/ingressclasses', 'networking.k8s.io/ingresses'].flatMap(
  (r) => [`list ${r}`, `watch ${r}`],
);

describe.for(INSTALLS_LOADED.map((i) => [i.file, i] as const))('RBAC of %s', ([, install]) => {
  const roles = install.manifests.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole');

  test.for(roles.map((r) => [`${r.kind} ${r.metadata.name}`, r] as const))('%s grants no wildcard verb, resource or API group', ([, role]) => {
    for (const rule of role.rules as Rule[]) {
      for (const field of [rule.verbs, rule.resources, rule.apiGroups, rule.resourceNames ?? []]) expect(field.some((v) => v.includes('*'))).toBe(false);
      expect(rule).not.toHaveProperty('nonResourceURLs');
    }
  });

  test('certgen may create Secrets in its namespace but read and update only its own', () => {
    const secret = jobArg(install, 'gatehouse-certgen-create', 'secret-name');
    expect(install.find('Role', 'gatehouse-certgen').metadata.namespace).toBe(jobArg(install, 'gatehouse-certgen-create', 'namespace'));
    expect(grantsOf(install, 'Role', 'gatehouse-certgen')).toEqual(['create core/secrets', `get core/secrets [${secret}]`, `update core/secrets [${secret}]`].sort());
  });

  test('certgen may get and patch only the named webhook configurations', () => {
    const name = jobArg(install, 'gatehouse-certgen-patch', 'webhook-name');
    expect(grantsOf(install, 'ClusterRole', 'gatehouse-certgen')).toEqual(
      [
        `get admissionregistration.k8s.io/mutatingwebhookconfigurations [${name}]`,
        `get admissionregistration.k8s.io/validatingwebhookconfigurations [${name}]`,
        `patch admissionregistration.k8s.io/mutatingwebhookconfigurations [${name}]`,
        `patch admissionregistration.k8s.io/validatingwebhookconfigurations [${name}]`,
      ].sort(),
    );
  });

  test.for(
    install.manifests
      .filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')
      .map((b) => [`${b.kind} ${b.metadata.name}`, b] as const),
  )('%s binds its own ServiceAccount to its own role only', ([, binding]) => {
    const name = binding.metadata.name;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: binding.kind === 'RoleBinding' ? 'Role' : 'ClusterRole', name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: 'gatehouse' }]);
    install.find(binding.roleRef.kind, name);
    install.find('ServiceAccount', name);
  });

  test('each workload runs as its own ServiceAccount', () => {
    for (const deployment of install.all('Deployment')) expect(deployment.spec.template.spec.serviceAccountName).toBe(deployment.metadata.name);
    for (const job of install.all('Job')) expect(job.spec.template.spec.serviceAccountName).toBe('gatehouse-certgen');
    expect(install.find('CronJob').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('gatehouse-certgen');
    expect(install.all('ServiceAccount').map((s) => s.metadata.name).sort()).toEqual(['gatehouse-certgen', ...install.all('Deployment').map((d) => d.metadata.name)].sort());
  });
});

describe('the webhook alone (install.yaml)', () => {
  test('may only list and watch what it reads', () => {
    expect(grantsOf(webhookInstall, 'ClusterRole', 'gatehouse-webhook')).toEqual([...READS].sort());
  });
});

describe('the controller (install-controller.yaml)', () => {
  const pod = controllerInstall.find('Deployment', 'gatehouse-controller').spec.template.spec;
  const config = controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, pod.containers[0].args.slice(1)), { POD_NAMESPACE: 'gatehouse' });

  test('reads what the webhook reads, and writes only Ingress status (by patch) and Events', () => {
    expect(grantsOf(controllerInstall, 'ClusterRole', 'gatehouse-controller')).toEqual(
      [...READS, 'patch networking.k8s.io/ingresses/status', 'create core/events'].sort(),
    );
  });

  test('may create Leases in its own namespace, read and renew only its election Lease, and read only its --configmap', () => {
    const role = controllerInstall.find('Role', 'gatehouse-controller');
    expect(role.metadata.namespace).toBe(config.electionNamespace);
    expect(config.configMap?.namespace).toBe(role.metadata.namespace);
    const configMap = config.configMap!.name;
    expect(grantsOf(controllerInstall, 'Role', 'gatehouse-controller')).toEqual(
      [
        'create coordination.k8s.io/leases',
        `get coordination.k8s.io/leases [${config.electionId}]`,
        `update coordination.k8s.io/leases [${config.electionId}]`,
        `list core/configmaps [${configMap}]`,
        `watch core/configmaps [${configMap}]`,
      ].sort(),
    );
    expect(controllerInstall.find('ConfigMap', configMap).metadata.namespace).toBe(role.metadata.namespace);
  });

  test('takes the election namespace from the downward API, the namespace its Role is in', () => {
    const env = pod.containers[0].env as { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
    expect(env.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(env.find((e) => e.name === 'POD_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(pod.containers[0].args.some((a: string) => a.startsWith('--election-namespace'))).toBe(false);
  });
});

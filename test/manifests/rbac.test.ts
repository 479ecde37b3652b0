import { describe, expect, test } from 'vitest';
import { all, find, manifests } from './load.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const roles = manifests.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole');
const rulesOf = (kind: string, name: string): Rule[] => find(kind, name).rules;

/** Every (apiGroup, resource, verb) a rule list grants, with the names it is limited to. */
function grants(rules: Rule[]): string[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g || 'core'}/${res}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`))),
  );
}

const jobArg = (job: string, flag: string): string => {
  const arg = (find('Job', job).spec.template.spec.containers[0].args as string[]).find((a) => a.startsWith(`--${flag}=`));
  return arg!.slice(flag.length + 3);
};

describe('RBAC', () => {
  test.for(roles.map((r) => [`${r.kind} ${r.metadata.name}`, r] as const))('%s grants no wildcard verb, resource or API group', ([, role]) => {
    for (const rule of role.rules as Rule[]) {
      for (const field of [rule.verbs, rule.resources, rule.apiGroups, rule.resourceNames ?? []]) expect(field.some((v) => v.includes('*'))).toBe(false);
      expect(rule).not.toHaveProperty('nonResourceURLs');
    }
  });

  test('the webhook may only list and watch what it reads', () => {
    expect(grants(rulesOf('ClusterRole', 'gatehouse-webhook')).sort()).toEqual(
      [
        'list core/namespaces',
        'list core/secrets',
        'list core/services',
        'list discovery.k8s.io/endpointslices',
        'list networking.k8s.io/ingressclasses',
        'list networking.k8s.io/ingresses',
        'watch core/namespaces',
        'watch core/secrets',
        'watch core/services',
        'watch discovery.k8s.io/endpointslices',
        'watch networking.k8s.io/ingressclasses',
        'watch networking.k8s.io/ingresses',
      ].sort(),
    );
  });

  test('certgen may create Secrets in its namespace but read and update only its own', () => {
    const secret = jobArg('gatehouse-certgen-create', 'secret-name');
    expect(find('Role', 'gatehouse-certgen').metadata.namespace).toBe(jobArg('gatehouse-certgen-create', 'namespace'));
    expect(grants(rulesOf('Role', 'gatehouse-certgen')).sort()).toEqual(['create core/secrets', `get core/secrets [${secret}]`, `update core/secrets [${secret}]`].sort());
  });

  test('certgen may get and patch only the named webhook configurations', () => {
    const name = jobArg('gatehouse-certgen-patch', 'webhook-name');
    expect(grants(rulesOf('ClusterRole', 'gatehouse-certgen')).sort()).toEqual(
      [
        `get admissionregistration.k8s.io/mutatingwebhookconfigurations [${name}]`,
        `get admissionregistration.k8s.io/validatingwebhookconfigurations [${name}]`,
        `patch admissionregistration.k8s.io/mutatingwebhookconfigurations [${name}]`,
        `patch admissionregistration.k8s.io/validatingwebhookconfigurations [${name}]`,
      ].sort(),
    );
  });

  test.for([
    ['gatehouse-webhook', 'ClusterRoleBinding', 'ClusterRole'],
    ['gatehouse-certgen', 'ClusterRoleBinding', 'ClusterRole'],
    ['gatehouse-certgen', 'RoleBinding', 'Role'],
  ] as const)('%s is bound by its %s to its own %s only', ([name, bindingKind, roleKind]) => {
    const binding = find(bindingKind, name);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace: 'gatehouse' }]);
  });

  test('each workload runs as its own ServiceAccount', () => {
    expect(all('ServiceAccount').map((s) => s.metadata.name).sort()).toEqual(['gatehouse-certgen', 'gatehouse-webhook']);
    expect(find('Deployment', 'gatehouse-webhook').spec.template.spec.serviceAccountName).toBe('gatehouse-webhook');
    for (const job of all('Job')) expect(job.spec.template.spec.serviceAccountName).toBe('gatehouse-certgen');
    expect(find('CronJob').spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('gatehouse-certgen');
  });
});

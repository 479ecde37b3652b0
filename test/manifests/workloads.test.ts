import { describe, expect, test } from 'vitest';
import { certgenCreateOptionsFrom, certgenPatchOptionsFrom, CERTGEN_CREATE_FLAGS, CERTGEN_PATCH_FLAGS } from '../../src/certgen/options.js';
import { parseFlags } from '../../src/config/flags.js';
import { WEBHOOK_FLAGS, webhookConfigFrom } from '../../src/config/webhook-config.js';
import { find, INSTALLS_LOADED } from './load.js';

const deployment = find('Deployment', 'gatehouse-webhook');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const service = find('Service', 'gatehouse-webhook');
const svcName = service.metadata.name;
const svcNamespace = service.metadata.namespace;
const secretVolume = pod.volumes.find((v: any) => v.secret);

/** The certgen options a container's args parse to, through the real flag tables. */
function certgenArgs(c: any) {
  const [command, sub, ...rest] = c.args as string[];
  expect(command).toBe('certgen');
  return sub === 'create'
    ? { sub, create: certgenCreateOptionsFrom(parseFlags(CERTGEN_CREATE_FLAGS, rest).values) }
    : { sub, patch: certgenPatchOptionsFrom(parseFlags(CERTGEN_PATCH_FLAGS, rest).values) };
}

const createContainers = [
  ['Job gatehouse-certgen-create', find('Job', 'gatehouse-certgen-create').spec.template.spec.containers[0]],
  ['CronJob initContainer', find('CronJob', 'gatehouse-certgen').spec.jobTemplate.spec.template.spec.initContainers[0]],
] as const;
const patchContainers = [
  ['Job gatehouse-certgen-patch', find('Job', 'gatehouse-certgen-patch').spec.template.spec.containers[0]],
  ['CronJob container', find('CronJob', 'gatehouse-certgen').spec.jobTemplate.spec.template.spec.containers[0]],
] as const;

describe('webhook Deployment', () => {
  test('runs 2 replicas spread across nodes and zones', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const t of pod.topologySpreadConstraints) expect(t.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  test('is covered by a PodDisruptionBudget', () => {
    const pdb = find('PodDisruptionBudget', 'gatehouse-webhook');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  test('probes /healthz and /readyz on port 10254', () => {
    const health = container.ports.find((p: any) => p.name === 'health');
    expect(health.containerPort).toBe(10254);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  test('serves the certificate Secret mounted at /etc/gatehouse/tls, with args the webhook command accepts', () => {
    const mount = container.volumeMounts.find((m: any) => m.name === secretVolume.name);
    expect(mount).toMatchObject({ mountPath: '/etc/gatehouse/tls', readOnly: true });
    expect(mount.subPath).toBeUndefined(); // subPath mounts never see Secret updates
    const [command, ...rest] = container.args as string[];
    expect(command).toBe('webhook');
    const config = webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, rest));
    expect(config.tls).toEqual({ certFile: '/etc/gatehouse/tls/cert', keyFile: '/etc/gatehouse/tls/key' });
    expect(secretVolume.secret.items.map((i: any) => i.path).sort()).toEqual(['cert', 'key']);
  });

  test('mounts only the serving pair, not the CA key', () => {
    const create = certgenArgs(createContainers[0][1]).create!;
    expect(secretVolume.secret.items).toEqual([
      { key: create.certName, path: 'cert' },
      { key: create.keyName, path: 'key' },
    ]);
  });

  test('the Service sends 443 to the webhook port 8443', () => {
    expect(service.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    expect(container.ports.find((p: any) => p.name === 'https').containerPort).toBe(8443);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  test('the NetworkPolicy admits only the webhook and health ports', () => {
    const policy = find('NetworkPolicy', 'gatehouse-webhook');
    expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 8443, protocol: 'TCP' }, { port: 10254, protocol: 'TCP' }] }]);
  });
});

describe.for(INSTALLS_LOADED.flatMap((install) => install.podTemplates().map((p) => [`${install.file}: ${p.owner}`, p.spec, install] as const)))('%s Pod', ([, spec, install]) => {
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  const image = install.all('Deployment')[0]!.spec.template.spec.containers[0].image;

  test('runs as non-root user 10001 with the RuntimeDefault seccomp profile', () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test.for(containers.map((c: any) => [c.name, c] as const))('container %s has a read-only root, no capabilities, no privilege escalation', ([, c]) => {
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test.for(containers.map((c: any) => [c.name, c] as const))('container %s has resource requests and limits', ([, c]) => {
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits).toMatchObject({ memory: expect.any(String) });
  });

  test.for(containers.map((c: any) => [c.name, c] as const))('container %s runs the Gatehouse image', ([, c]) => {
    expect(c.image).toBe(image);
  });
});

describe.for(createContainers)('certgen create in %s', ([, c]) => {
  const { create } = certgenArgs(c);

  test("covers the webhook Service's DNS names", () => {
    expect(create!.hosts).toEqual([svcName, `${svcName}.${svcNamespace}`, `${svcName}.${svcNamespace}.svc`]);
  });

  test('writes the Secret the Deployment mounts', () => {
    expect({ namespace: create!.namespace, secret: create!.secretName }).toEqual({ namespace: deployment.metadata.namespace, secret: secretVolume.secret.secretName });
  });
});

describe.for(patchContainers)('certgen patch in %s', ([, c]) => {
  const { patch } = certgenArgs(c);

  test('patches the gatehouse webhook configurations from the Deployment’s Secret', () => {
    expect(patch).toMatchObject({
      webhookName: find('ValidatingWebhookConfiguration').metadata.name,
      namespace: svcNamespace,
      secretName: secretVolume.secret.secretName,
      patchValidating: true,
      patchMutating: true,
    });
    expect(find('MutatingWebhookConfiguration').metadata.name).toBe(patch!.webhookName);
  });
});

describe('certgen Jobs', () => {
  test.for(['gatehouse-certgen-create', 'gatehouse-certgen-patch'])('%s retries and stays visible long enough for GitOps tools', (name) => {
    const job = find('Job', name);
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThanOrEqual(3600);
  });

  test('the CronJob renews daily, one run at a time', () => {
    const cron = find('CronJob', 'gatehouse-certgen');
    expect(cron.spec.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
  });
});

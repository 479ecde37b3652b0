// The full install's controller Deployment, read through the controller's own flag parser: the
// ports, paths and names its args give must be the ones the Pod, its Services, NetworkPolicy and
// volumes provide.
import { describe, expect, test } from 'vitest';
import { certgenCreateOptionsFrom, CERTGEN_CREATE_FLAGS } from '../../src/certgen/options.js';
import { CONTROLLER_FLAGS, controllerConfigFrom } from '../../src/config/controller-config.js';
import { parseFlags } from '../../src/config/flags.js';
import { controllerInstall as install } from './load.js';

const deployment = install.find('Deployment', 'gatehouse-controller');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const [command, ...flags] = container.args as string[];
const config = controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, flags), { POD_NAMESPACE: deployment.metadata.namespace });
const portNamed = (name: string): number => container.ports.find((p: any) => p.name === name)?.containerPort;
const mountOf = (path: string) => container.volumeMounts.find((m: any) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
const volume = (name: string) => pod.volumes.find((v: any) => v.name === name);

describe('controller Deployment', () => {
  test('runs `gatehouse controller` with Debian’s nginx, by absolute path', () => {
    expect(command).toBe('controller');
    expect(config.nginxBinary).toBe('/usr/sbin/nginx');
  });

  test('runs 2 replicas spread across nodes and zones, rolled one at a time', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const t of pod.topologySpreadConstraints) expect(t.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  test('is covered by a PodDisruptionBudget', () => {
    const pdb = install.find('PodDisruptionBudget', 'gatehouse-controller');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  test('nginx and the webhook listen on unprivileged ports, each on its own named container port', () => {
    expect({ http: config.httpListen.port, https: config.httpsListen.port, webhook: config.webhook?.listen.port, health: config.healthListen.port }).toEqual({
      http: portNamed('http'),
      https: portNamed('https'),
      webhook: portNamed('webhook'),
      health: portNamed('health'),
    });
    const ports = [config.httpListen, config.httpsListen, config.webhook!.listen, config.healthListen, config.statusListen].map((l) => l.port);
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(1024);
    expect(config.statusListen.host).toBe('127.0.0.1'); // nginx's status server stays inside the Pod
    expect(pod.hostNetwork).toBeUndefined();
    for (const p of container.ports) expect(p.hostPort).toBeUndefined();
  });

  test('probes /healthz and /readyz on the health port', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  test('--publish-service names the LoadBalancer Service that sends 80/443 to nginx', () => {
    const service = install.find('Service', config.publishService!.name);
    expect(service.metadata.namespace).toBe(config.publishService!.namespace);
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: any) => [p.port, portNamed(p.targetPort)])).toEqual([
      [80, config.httpListen.port],
      [443, config.httpsListen.port],
    ]);
  });

  test('writes only to emptyDir volumes under its read-only root: the config dir inside one, not its mount point', () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    for (const path of [config.configDir, '/tmp']) {
      const mount = mountOf(path);
      expect(mount, path).toBeDefined();
      expect(volume(mount.name).emptyDir, path).toBeDefined();
    }
    // The controller creates --config-dir and sets its mode, which a non-root user cannot do to
    // a mount point owned by root.
    expect(mountOf(config.configDir).mountPath).not.toBe(config.configDir);
  });

  test('serves the webhook with the serving pair from the Secret certgen writes, a whole-directory mount', () => {
    const create = certgenCreateOptionsFrom(parseFlags(CERTGEN_CREATE_FLAGS, install.find('Job', 'gatehouse-certgen-create').spec.template.spec.containers[0].args.slice(2)).values);
    expect(config.webhook!.tls).toEqual({ certFile: '/etc/gatehouse/tls/cert', keyFile: '/etc/gatehouse/tls/key' });
    const mount = mountOf('/etc/gatehouse/tls/cert');
    expect(mount).toMatchObject({ mountPath: '/etc/gatehouse/tls', readOnly: true });
    expect(mount.subPath).toBeUndefined(); // subPath mounts never see Secret updates
    expect(volume(mount.name).secret).toMatchObject({
      secretName: create.secretName,
      items: [
        { key: create.certName, path: 'cert' },
        { key: create.keyName, path: 'key' },
      ],
    });
    expect(deployment.metadata.namespace).toBe(create.namespace);
  });

  test('the NetworkPolicy admits exactly the container ports: traffic, webhook, health', () => {
    const policy = install.find('NetworkPolicy', 'gatehouse-controller');
    expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([{ ports: container.ports.map((p: any) => ({ port: p.containerPort, protocol: 'TCP' })) }]);
  });

  test('the grace period covers the preStop pause and a graceful nginx quit', () => {
    const pause = Number(container.lifecycle.preStop.exec.command[1]);
    expect(container.lifecycle.preStop.exec.command[0]).toBe('sleep');
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + 30);
  });
});

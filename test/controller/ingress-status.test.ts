import { describe, expect, test } from 'vitest';
import { desiredLoadBalancer, normalizeLoadBalancer, serviceAddresses, statusNeedsUpdate, type PublishService } from '../../src/controller/ingress-status.js';
import type { Ingress, LoadBalancerIngress } from '../../src/k8s/types.js';
import { ingress, service } from '../fixtures/builders.js';

function publishService(spec: NonNullable<PublishService['spec']>, lb?: LoadBalancerIngress[]): PublishService {
  const base = service('ingress', 'gatehouse', [{ name: 'http', port: 80 }], spec);
  return lb ? { ...base, status: { loadBalancer: { ingress: lb } } } : base;
}

function withStatus(lb: LoadBalancerIngress[] | undefined): Ingress {
  const base = ingress();
  return lb ? { ...base, status: { loadBalancer: { ingress: lb } } } : base;
}

describe('desiredLoadBalancer', () => {
  test.for<[string, string[], LoadBalancerIngress[]]>([
    ['an IPv4 address becomes ip', ['203.0.113.7'], [{ ip: '203.0.113.7' }]],
    ['an IPv6 address becomes ip', ['2001:db8::1'], [{ ip: '2001:db8::1' }]],
    ['a DNS name becomes hostname', ['lb.example.com'], [{ hostname: 'lb.example.com' }]],
    ['IPs sort before hostnames, each in code-unit order', ['b.example', '10.0.0.2', 'a.example', '10.0.0.10'], [
      { ip: '10.0.0.10' },
      { ip: '10.0.0.2' },
      { hostname: 'a.example' },
      { hostname: 'b.example' },
    ]],
    ['duplicates collapse', ['10.0.0.1', '10.0.0.1'], [{ ip: '10.0.0.1' }]],
    ['blank entries are dropped and entries trimmed', ['', ' 10.0.0.1 '], [{ ip: '10.0.0.1' }]],
  ])('--publish-status-address: %s', ([, addresses, expected]) => {
    expect(desiredLoadBalancer({ publishStatusAddress: addresses })).toEqual(expected);
  });

  test('--publish-status-address wins over the publish Service', () => {
    const svc = publishService({ type: 'ClusterIP', clusterIP: '10.96.0.10' });
    expect(desiredLoadBalancer({ publishStatusAddress: ['192.0.2.1'], publishService: svc })).toEqual([{ ip: '192.0.2.1' }]);
  });

  test('the publish Service is used when no address is given', () => {
    const svc = publishService({ type: 'ClusterIP', clusterIP: '10.96.0.10' });
    expect(desiredLoadBalancer({ publishStatusAddress: [], publishService: svc })).toEqual([{ ip: '10.96.0.10' }]);
  });

  test('nothing to publish without addresses or a Service', () => {
    expect(desiredLoadBalancer({})).toEqual([]);
  });

  test('Service addresses come out sorted', () => {
    const svc = publishService({ type: 'LoadBalancer', clusterIP: '10.96.0.10' }, [{ hostname: 'z.elb.example' }, { ip: '198.51.100.9' }, { ip: '198.51.100.1' }]);
    expect(desiredLoadBalancer({ publishService: svc })).toEqual([{ ip: '198.51.100.1' }, { ip: '198.51.100.9' }, { hostname: 'z.elb.example' }]);
  });
});

describe('serviceAddresses', () => {
  test.for<[string, PublishService, LoadBalancerIngress[]]>([
    ['ClusterIP → the cluster IP', publishService({ type: 'ClusterIP', clusterIP: '10.96.0.10' }), [{ ip: '10.96.0.10' }]],
    ['no type (defaults to ClusterIP) → the cluster IP', publishService({ type: undefined, clusterIP: '10.96.0.10' }), [{ ip: '10.96.0.10' }]],
    ['headless ClusterIP (None) → nothing', publishService({ type: 'ClusterIP', clusterIP: 'None' }), []],
    ['ExternalName → its DNS name', publishService({ type: 'ExternalName', externalName: 'edge.example.net' }), [{ hostname: 'edge.example.net' }]],
    ['NodePort without externalIPs → the cluster IP', publishService({ type: 'NodePort', clusterIP: '10.96.0.10' }), [{ ip: '10.96.0.10' }]],
    [
      'NodePort with externalIPs → the externalIPs only',
      publishService({ type: 'NodePort', clusterIP: '10.96.0.10', externalIPs: ['192.0.2.5', '192.0.2.6'] }),
      [{ ip: '192.0.2.5' }, { ip: '192.0.2.6' }],
    ],
    [
      'LoadBalancer → provisioned addresses (ip preferred over hostname) plus externalIPs',
      publishService({ type: 'LoadBalancer', clusterIP: '10.96.0.10', externalIPs: ['192.0.2.5'] }, [
        { ip: '198.51.100.1', hostname: 'ignored.example' },
        { hostname: 'abc.elb.example' },
      ]),
      [{ ip: '198.51.100.1' }, { hostname: 'abc.elb.example' }, { ip: '192.0.2.5' }],
    ],
    ['LoadBalancer still pending → nothing (not the cluster IP)', publishService({ type: 'LoadBalancer', clusterIP: '10.96.0.10' }), []],
  ])('%s', ([, svc, expected]) => {
    expect(serviceAddresses(svc)).toEqual(expected);
  });
});

describe('normalizeLoadBalancer', () => {
  test('keeps only ip and hostname, dropping ports and empty entries', () => {
    const withPorts = { ip: '10.0.0.1', ports: [{ port: 80, protocol: 'TCP' }] };
    const entries: LoadBalancerIngress[] = [withPorts, {}, { ip: '', hostname: '' }];
    expect(normalizeLoadBalancer(entries)).toEqual([{ ip: '10.0.0.1' }]);
  });
});

describe('statusNeedsUpdate', () => {
  test.for<[string, LoadBalancerIngress[] | undefined, LoadBalancerIngress[], boolean]>([
    ['no status yet, addresses wanted', undefined, [{ ip: '10.0.0.1' }], true],
    ['no status and nothing wanted', undefined, [], false],
    ['empty list and nothing wanted', [], [], false],
    ['the same address', [{ ip: '10.0.0.1' }], [{ ip: '10.0.0.1' }], false],
    ['the same set in another order', [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], false],
    ['a different address', [{ ip: '10.0.0.1' }], [{ ip: '10.0.0.9' }], true],
    ['an address to add', [{ ip: '10.0.0.1' }], [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], true],
    ['an address to remove', [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], [{ ip: '10.0.0.1' }], true],
    ['addresses to clear', [{ ip: '10.0.0.1' }], [], true],
    ['an ip where a hostname is wanted', [{ ip: '10.0.0.1' }], [{ hostname: '10.0.0.1' }], true],
  ])('%s → %s', ([, current, desired, expected]) => {
    expect(statusNeedsUpdate(withStatus(current), desired)).toBe(expected);
  });

  test('ports published by someone else do not count as a difference', () => {
    const withPorts = { ip: '10.0.0.1', ports: [{ port: 443, protocol: 'TCP' }] };
    expect(statusNeedsUpdate(withStatus([withPorts]), [{ ip: '10.0.0.1' }])).toBe(false);
  });
});

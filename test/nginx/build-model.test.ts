import { describe, expect, test } from 'vitest';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { buildModel, type BuildModelOptions } from '../../src/nginx/build-model.js';
import type { ServerModel } from '../../src/nginx/model.js';
import { ingress, service, shopCluster, snapshotOf, tlsSecret, type IngressSpecInput } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';

const OPTIONS: BuildModelOptions = { ownership: DEFAULT_OWNERSHIP };
const WEB_SLICE = endpointSlice('shop', 'web', ['10.0.0.2', '10.0.0.1'], 8080);

function build(cluster: SnapshotStore, options: Partial<BuildModelOptions> = {}) {
  return buildModel(cluster, { ...OPTIONS, ...options });
}

function server(cluster: SnapshotStore, host: string): ServerModel | undefined {
  return build(cluster).model.servers.find((s) => s.host === host);
}

describe('ownership and ordering', () => {
  test('only Ingresses of an owned class are rendered', () => {
    const result = build(shopCluster(ingress({ host: 'a.com' }), ingress({ name: 'other', host: 'b.com', className: 'traefik' })));
    expect(result.model.servers.map((s) => s.host)).toEqual(['a.com']);
    expect(result.owned).toBe(1);
  });

  test('the model does not depend on the order objects arrived in', () => {
    const objects: KubeObject[] = [
      ingress({ name: 'one', host: 'b.com', paths: [{ path: '/x' }, { path: '/a' }] }),
      ingress({ name: 'two', host: 'a.com' }),
      ingress({ name: 'three', host: 'b.com', paths: [{ path: '/x', service: 'api' }] }),
      WEB_SLICE,
    ];
    const forward = build(shopCluster(...objects));
    const backward = build(shopCluster(...[...objects].reverse()));
    expect(backward).toEqual(forward);
  });

  test('several Ingresses for one host merge into one server', () => {
    const s = server(shopCluster(ingress({ name: 'a', paths: [{ path: '/a' }] }), ingress({ name: 'b', paths: [{ path: '/b' }] })), 'shop.example.com');
    expect(s?.locations.map((l) => `${l.source} ${l.path}`)).toEqual(['shop/a /a', 'shop/b /b']);
  });
});

describe('conflicts', () => {
  test('the oldest Ingress wins a host+path and the loser is reported', () => {
    const result = build(
      shopCluster(
        ingress({ name: 'a-new', creationTimestamp: '2025-01-01T00:00:00Z', paths: [{ path: '/x', service: 'new' }] }),
        ingress({ name: 'z-old', creationTimestamp: '2020-01-01T00:00:00Z', paths: [{ path: '/x', service: 'old' }] }),
      ),
    );
    expect(result.model.servers[0]?.locations.map((l) => l.source)).toEqual(['shop/z-old']);
    expect(result.conflicts).toEqual([{ winner: 'shop/z-old', loser: 'shop/a-new', claim: 'host shop.example.com, prefix path /x' }]);
  });

  test('at equal age namespace/name decides', () => {
    const result = build(shopCluster(ingress({ name: 'b', paths: [{ path: '/x' }] }), ingress({ name: 'a', paths: [{ path: '/x' }] })));
    expect(result.conflicts[0]).toMatchObject({ winner: 'shop/a', loser: 'shop/b' });
  });

  test('Prefix /x and /x/ are one route', () => {
    const result = build(shopCluster(ingress({ name: 'a', paths: [{ path: '/x' }] }), ingress({ name: 'b', paths: [{ path: '/x/' }] })));
    expect(result.conflicts).toHaveLength(1);
  });

  test('Prefix and non-regex ImplementationSpecific /x are one route; a regex /x is another', () => {
    const regex = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };
    const result = build(
      shopCluster(
        ingress({ name: 'a', paths: [{ path: '/x' }] }),
        ingress({ name: 'b', paths: [{ path: '/x', pathType: 'ImplementationSpecific' }] }),
        ingress({ name: 'c', annotations: regex, paths: [{ path: '/x', pathType: 'ImplementationSpecific' }] }),
      ),
    );
    expect(result.conflicts).toEqual([{ winner: 'shop/a', loser: 'shop/b', claim: 'host shop.example.com, prefix path /x' }]);
    expect(result.model.servers[0]?.locations.map((l) => `${l.source} ${l.match}`)).toEqual(['shop/a prefix', 'shop/c regex']);
  });

  test('Exact /x and Prefix /x do not conflict', () => {
    const result = build(shopCluster(ingress({ name: 'a', paths: [{ path: '/x', pathType: 'Exact' }] }), ingress({ name: 'b', paths: [{ path: '/x' }] })));
    expect(result.conflicts).toEqual([]);
    expect(result.model.servers[0]?.locations.map((l) => l.match)).toEqual(['exact', 'prefix']);
  });

  test('a second default backend loses to the older one', () => {
    const result = build(shopCluster(ingress({ name: 'a', rules: [], defaultBackend: {} }), ingress({ name: 'b', rules: [], defaultBackend: {} })));
    expect(result.conflicts).toEqual([{ winner: 'shop/a', loser: 'shop/b', claim: 'the default backend' }]);
  });
});

describe('upstreams from EndpointSlices', () => {
  test('ready endpoints become sorted upstream servers on the slice port', () => {
    const result = build(shopCluster(ingress(), WEB_SLICE));
    expect(result.model.upstreams).toEqual([{ name: 'shop_web_http', endpoints: [{ host: '10.0.0.1', port: 8080 }, { host: '10.0.0.2', port: 8080 }] }]);
  });

  test('a Service port referenced by name resolves through the slice port of that name', () => {
    const slice = endpointSlice('shop', 'web', ['10.0.0.1'], 8443, { portName: 'https' });
    const result = build(shopCluster(ingress({ paths: [{ port: 'https' }] }), WEB_SLICE, slice));
    expect(result.model.upstreams).toEqual([{ name: 'shop_web_https', endpoints: [{ host: '10.0.0.1', port: 8443 }] }]);
  });

  test('endpoints that are not ready are left out', () => {
    const slice = endpointSlice('shop', 'web', ['10.0.0.1', '10.0.0.2'], 80, { notReady: ['10.0.0.2'] });
    expect(build(shopCluster(ingress(), slice)).model.upstreams[0]?.endpoints).toEqual([{ host: '10.0.0.1', port: 80 }]);
  });

  test('an IPv6 endpoint is bracketed', () => {
    const slice = { ...endpointSlice('shop', 'web', ['fd00::1'], 80), addressType: 'IPv6' };
    expect(build(shopCluster(ingress(), slice)).model.upstreams[0]?.endpoints).toEqual([{ host: '[fd00::1]', port: 80 }]);
  });

  test('a name in an IPv4 slice is not an upstream server (nginx would resolve it at load time)', () => {
    const slice = endpointSlice('shop', 'web', ['backend.invalid', '10.0.0.1'], 80);
    expect(build(shopCluster(ingress(), slice)).model.upstreams[0]?.endpoints).toEqual([{ host: '10.0.0.1', port: 80 }]);
  });

  test('a Service without endpoints keeps an empty upstream (rendered as 503)', () => {
    expect(build(shopCluster(ingress(), endpointSlice('shop', 'web', [], 80))).model.upstreams[0]?.endpoints).toEqual([]);
  });

  test('without EndpointSlices in the snapshot, the ClusterIP is the endpoint', () => {
    const cluster = snapshotOf(service('shop', 'web', [{ name: 'http', port: 80 }], { clusterIP: '10.96.0.10' }), ingress());
    expect(build(cluster).model.upstreams[0]?.endpoints).toEqual([{ host: '10.96.0.10', port: 80 }]);
  });

  // Resolutions and annotation verdicts are kept from render to render by object (upstreams.ts,
  // build-model.ts): a new object must never get an earlier one's answer.
  test('a render after an EndpointSlice or Service change sees the change; an unchanged cluster renders the same', () => {
    const cluster = shopCluster(ingress(), WEB_SLICE);
    const first = build(cluster).model.upstreams;
    expect(build(cluster).model.upstreams).toEqual(first);
    cluster.upsert('EndpointSlice', endpointSlice('shop', 'web', ['10.0.0.9'], 8080, { name: WEB_SLICE.metadata!.name! }));
    expect(build(cluster).model.upstreams).toEqual([{ name: 'shop_web_http', endpoints: [{ host: '10.0.0.9', port: 8080 }] }]);
    cluster.upsert('Service', service('shop', 'web', [{ name: 'web', port: 80 }]));
    expect(build(cluster).model.upstreams).toEqual([{ name: 'shop_web_web', endpoints: [] }]);
  });

  test('a render after an Ingress changes its annotations judges the new ones', () => {
    const cluster = shopCluster(ingress({ annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } }), WEB_SLICE);
    expect(build(cluster).skipped).toEqual([]);
    cluster.upsert('Ingress', ingress({ annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'return 200;' } }));
    const refused = build(cluster).skipped;
    expect(refused).toEqual([{ ingress: 'shop/web', reason: expect.stringContaining('snippet annotations are disabled') }]);
    // The same Ingress object under another policy is judged again.
    const permissive = build(cluster, { annotations: { annotationsRiskLevel: 'critical', allowSnippetAnnotations: true } }).skipped;
    expect(permissive).toHaveLength(1);
    expect(permissive[0]!.reason).not.toContain('snippet annotations are disabled');
  });

  test('a missing Service answers 503 without an upstream', () => {
    const result = build(shopCluster(ingress({ paths: [{ service: 'nope' }] })));
    expect(result.model.servers[0]?.locations[0]?.action).toEqual({ kind: 'status', code: 503 });
    expect(result.model.upstreams).toEqual([]);
  });

  test('an ExternalName Service proxies to its DNS name', () => {
    const ext = service('shop', 'ext', [{ name: 'http', port: 8080 }], { type: 'ExternalName', externalName: 'api.example.org' });
    const result = build(shopCluster(ext, ingress({ paths: [{ service: 'ext', port: 8080 }] })));
    expect(result.model.servers[0]?.locations[0]?.action).toEqual({ kind: 'external', host: 'api.example.org', port: 8080, protocol: 'HTTP' });
  });
});

describe('skipped Ingresses', () => {
  test.for<[string, IngressSpecInput, string]>([
    [
      'a path nginx cannot take literally',
      { paths: [{ path: '/a;b' }] },
      'spec.rules[0].http.paths[0].path "/a;b" cannot be rendered as a prefix location: it contains ";", which a prefix location cannot hold (only "/", letters, digits and . _ ~ ! * , : @ & = + ( ) % -)',
    ],
    [
      'a regex that does not compile',
      { annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, paths: [{ path: '/(x', pathType: 'ImplementationSpecific' }] },
      'spec.rules[0].http.paths[0].path "/(x" cannot be rendered as a regex location: it is not a valid nginx (PCRE2) regular expression: missing closing parenthesis at offset 3',
    ],
    ['a rewrite referencing a missing capture group', { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }, paths: [{ path: '/x(.*)', pathType: 'ImplementationSpecific' }] }, 'spec.rules[0].http.paths[0].path "/x(.*)" has no capture group $2 for rewrite-target'],
    [
      'an annotation the controller does not implement',
      { annotations: { 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' } },
      'annotations refused: metadata.annotations[nginx.ingress.kubernetes.io/ssl-passthrough]: nginx.ingress.kubernetes.io/ssl-passthrough (TLS passthrough to the backend) is not implemented by the bundled controller yet; the Ingress is refused rather than served without it',
    ],
  ])('%s', ([, input, reason]) => {
    const result = build(shopCluster(ingress(input)));
    expect(result.skipped).toEqual([{ ingress: 'shop/web', reason }]);
    expect(result.model.servers).toEqual([]);
  });

  test('an annotation the catalog refuses skips the Ingress with the catalog\'s reason', () => {
    const result = build(shopCluster(ingress({ annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1m;' } })));
    expect(result.skipped[0]?.reason).toContain('proxy-body-size');
    expect(result.skipped[0]?.reason).toContain('must not contain ";"');
  });

  test('a higher annotation risk than allowed skips the Ingress', () => {
    const ing = ingress({ annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } });
    const result = build(shopCluster(ing), { annotations: { annotationsRiskLevel: 'low', allowSnippetAnnotations: false } });
    expect(result.skipped).toHaveLength(1);
  });

  test('other Ingresses are still served', () => {
    const result = build(shopCluster(ingress({ name: 'bad', host: 'bad.com', paths: [{ path: '/"' }] }), ingress({ name: 'good', host: 'good.com' })));
    expect(result.model.servers.map((s) => s.host)).toEqual(['good.com']);
  });
});

describe('TLS', () => {
  test('a TLS host without a readable Secret is still TLS (fallback certificate) and warned about', () => {
    const result = build(shopCluster(tlsSecret('shop', 'bad', 'not a cert', 'not a key'), ingress({ tls: [{ hosts: ['shop.example.com'], secretName: 'bad' }] })));
    expect(result.model.servers[0]).toMatchObject({ tls: true });
    expect(result.model.servers[0]?.certificate).toBeUndefined();
    expect(result.warnings[0]?.message).toBe('TLS Secret bad tls.crt is not a PEM certificate; its hosts use the fallback certificate');
  });

  test('locations of a TLS host redirect to HTTPS unless ssl-redirect is "false"', () => {
    const on = ingress({ name: 'on', paths: [{ path: '/on' }], tls: [{ hosts: ['shop.example.com'] }] });
    const off = ingress({ name: 'off', paths: [{ path: '/off' }], annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } });
    const locations = server(shopCluster(on, off), 'shop.example.com')?.locations;
    expect(locations?.map((l) => [l.path, l.settings.sslRedirect ?? false])).toEqual([
      ['/off', false],
      ['/on', true],
    ]);
  });
});

describe('canary Ingresses', () => {
  const C = 'nginx.ingress.kubernetes.io/';
  const canary = (name: string, creationTimestamp: string, more: Partial<IngressSpecInput> = {}) =>
    ingress({ name, creationTimestamp, annotations: { [`${C}canary`]: 'true', [`${C}canary-weight`]: '10' }, paths: [{ path: '/', service: name }], ...more });
  const cluster = (...more: KubeObject[]) =>
    shopCluster(service('shop', 'web'), WEB_SLICE, ingress({ creationTimestamp: '2024-01-01T00:00:00Z' }), ...more);

  test('joins the main route: one location, the main Ingress\'s, with the canary', () => {
    const result = build(cluster(service('shop', 'c1'), canary('c1', '2024-02-01T00:00:00Z')));
    const loc = server(cluster(service('shop', 'c1'), canary('c1', '2024-02-01T00:00:00Z')), 'shop.example.com')?.locations;
    expect(loc).toHaveLength(1);
    expect(loc?.[0]).toMatchObject({ source: 'shop/web', canary: { source: 'shop/c1', action: { kind: 'proxy', upstream: 'shop_c1_http' } }, settings: { features: { canary: { weight: 10, weightTotal: 100 } } } });
    expect(result.conflicts).toEqual([]);
  });

  test('one canary per route: the oldest wins, the other is a conflict', () => {
    const result = build(cluster(canary('c2', '2024-03-01T00:00:00Z'), canary('c1', '2024-02-01T00:00:00Z')));
    expect(result.model.servers.find((s) => s.host === 'shop.example.com')?.locations[0]?.canary?.source).toBe('shop/c1');
    expect(result.conflicts).toEqual([{ winner: 'shop/c1', loser: 'shop/c2', claim: 'the canary of host shop.example.com, prefix path /' }]);
  });

  test('a canary older than its main Ingress in another namespace does not take the host', () => {
    const result = build(cluster(canary('c1', '2023-01-01T00:00:00Z', { namespace: 'prod' })));
    expect(result.model.servers.find((s) => s.host === 'shop.example.com')?.locations[0]?.source).toBe('shop/web');
  });

  test('the spec.defaultBackend of a canary is not the default backend, and is reported', () => {
    const result = build(cluster(canary('c1', '2024-02-01T00:00:00Z', { defaultBackend: { service: 'c1' } })));
    expect(result.model.defaultAction).toEqual({ kind: 'status', code: 404 });
    expect(result.warnings.map((w) => w.message)).toContain("the spec.defaultBackend of a canary Ingress is not served: Gatehouse splits the traffic of rules' paths only");
  });
});

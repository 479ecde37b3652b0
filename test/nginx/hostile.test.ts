// Hostile input never reaches nginx.conf: the Ingress carrying it is skipped (or the value is
// dropped, for cluster data like endpoint addresses), and the marker appears nowhere.
import { describe, expect, test } from 'vitest';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { ingress, service, shopCluster, type IngressSpecInput } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';

const MARKER = /pwned/i;
const P = 'nginx.ingress.kubernetes.io/';

function renderAll(...objects: KubeObject[]) {
  const build = buildModel(shopCluster(...objects), { ownership: DEFAULT_OWNERSHIP, annotations: { annotationsRiskLevel: 'critical', allowSnippetAnnotations: false } });
  const text = renderNginxConf(build.model, { configDir: '/etc/gatehouse', httpListen: '0.0.0.0:80', httpsListen: '0.0.0.0:443', statusListen: '127.0.0.1:10246' });
  return { build, text };
}

const HOSTILE_ANNOTATIONS: [string, string][] = [
  ['rewrite-target', '/x; return 200 pwned;'],
  ['rewrite-target', '/$host/pwned'],
  ['app-root', '/app"; return 200 pwned; #'],
  ['permanent-redirect', 'https://a.com/\nreturn 200 pwned;'],
  ['temporal-redirect', 'https://a.com/${pwned}'],
  ['cors-allow-origin', 'https://a.com" always; add_header X pwned'],
  ['cors-allow-headers', 'X-Pwned}'],
  ['cors-allow-methods', 'GET;pwned'],
  ['proxy-body-size', '1m; pwned'],
  ['proxy-read-timeout', '10; pwned'],
  ['session-cookie-name', 'a$pwned'],
  ['allowlist-source-range', '10.0.0.0/8; allow all; #pwned'],
  ['whitelist-source-range', '10.0.0.0/8\nallow all; # pwned'],
  ['backend-protocol', 'HTTP; pwned'],
  ['configuration-snippet', 'return 200 pwned;'],
  ['server-snippet', 'location /pwned { return 200; }'],
  ['ssl-redirect', 'true; pwned'],
  ['use-regex', 'true\u2028pwned'],
];

describe('hostile annotation values', () => {
  test.for(HOSTILE_ANNOTATIONS)('%s: %j is not rendered and its Ingress is skipped', ([key, value]) => {
    const { build, text } = renderAll(ingress({ annotations: { [P + 'enable-cors']: 'true', [P + 'affinity']: 'cookie', [P + key]: value } }));
    expect(build.skipped.map((s) => s.ingress)).toEqual(['shop/web']);
    expect(text).not.toMatch(MARKER);
  });
});

const HOSTILE_SPECS: [string, IngressSpecInput][] = [
  ['a path with ;', { paths: [{ path: '/pwned;return 200' }] }],
  ['a path with a quote', { paths: [{ path: '/pwned" { return 200; } location "/' }] }],
  ['a path with a brace', { paths: [{ path: '/pwned{' }] }],
  ['a path with a newline', { paths: [{ path: '/pwned\nreturn 200;' }] }],
  ['a path with $', { paths: [{ path: '/$pwned' }] }],
  ['a regex path with a quote', { annotations: { [P + 'use-regex']: 'true' }, paths: [{ path: '/pwned"(.*)', pathType: 'ImplementationSpecific' }] }],
  ['a regex path with an nginx escape', { annotations: { [P + 'use-regex']: 'true' }, paths: [{ path: '/pwned\\"', pathType: 'ImplementationSpecific' }] }],
  ['a host with ;', { host: 'pwned.com; return 200' }],
  ['a host with a newline', { host: 'pwned.com\nserver_name x' }],
  ['a host with a brace', { host: 'pwned.com{' }],
  ['a TLS host with ;', { tls: [{ hosts: ['pwned.com;'] }] }],
  ['a Service name with ;', { paths: [{ service: 'pwned;x' }] }],
  ['an Ingress name with a newline', { name: 'web\n# pwned' }],
  ['a namespace with a newline', { namespace: 'shop\npwned' }],
];

describe('hostile Ingress fields', () => {
  test.for(HOSTILE_SPECS)('%s is not rendered and its Ingress is skipped', ([, spec]) => {
    const { build, text } = renderAll(ingress(spec));
    expect(build.skipped).toHaveLength(1);
    expect(text).not.toMatch(MARKER);
  });
});

describe('hostile cluster data', () => {
  test('an ExternalName that is not a DNS name skips the Ingress', () => {
    const ext = service('shop', 'ext', [{ name: 'http', port: 80 }], { type: 'ExternalName', externalName: 'pwned.com; return 200' });
    const { build, text } = renderAll(ext, ingress({ paths: [{ service: 'ext' }] }));
    expect(build.skipped).toHaveLength(1);
    expect(text).not.toMatch(MARKER);
  });

  test('an endpoint address that is not an IP is dropped', () => {
    const { text } = renderAll(ingress(), endpointSlice('shop', 'web', ['10.0.0.1', '10.0.0.2; pwned'], 80));
    expect(text).toContain('server 10.0.0.1:80');
    expect(text).not.toMatch(MARKER);
  });

  test('a TLS secretName is never rendered (certificates are content-hash files)', () => {
    const { text } = renderAll(ingress({ tls: [{ hosts: ['shop.example.com'], secretName: 'pwned' }] }));
    expect(text).not.toMatch(MARKER);
  });
});

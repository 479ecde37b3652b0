// Representative snapshots for golden nginx.conf files (and the `nginx -t` check of each).
import { readFileSync } from 'node:fs';
import type { SnapshotStore } from '../../src/k8s/snapshot.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { ingress, service, shopCluster, tlsSecret } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';

const P = 'nginx.ingress.kubernetes.io/';
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
/** A fixed certificate/key pair (test only), so golden files stay stable. */
export const TEST_CERT = fixture('test-only.crt');
export const TEST_KEY = fixture('test-only.key');

function annotations(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [P + k, v]));
}

function services(): KubeObject[] {
  return [
    service('shop', 'api', [{ name: 'http', port: 8080 }]),
    service('shop', 'idle'),
    service('shop', 'ext', [{ port: 443 }], { type: 'ExternalName', externalName: 'api.partner.example' }),
    endpointSlice('shop', 'web', ['10.1.0.11', '10.1.0.10'], 8080),
    endpointSlice('shop', 'web', ['10.1.0.12'], 8081, { name: 'web-other-port' }),
    endpointSlice('shop', 'api', ['10.1.1.10'], 9090),
    endpointSlice('shop', 'idle', ['10.1.2.10'], 8080, { notReady: ['10.1.2.10'] }),
  ];
}

/** name → snapshot. Keep these stable: every change shows up as a golden diff. */
export const SCENARIOS: Record<string, () => SnapshotStore> = {
  empty: () => shopCluster(),

  basic: () =>
    shopCluster(
      ...services(),
      ingress({
        name: 'shop',
        host: 'shop.example.com',
        paths: [
          { path: '/', pathType: 'Prefix' },
          { path: '/api', pathType: 'Prefix', service: 'api', port: 8080 },
          { path: '/api', pathType: 'Exact', service: 'web' },
          { path: '/healthz', pathType: 'Exact' },
          { path: '/legacy/', pathType: 'ImplementationSpecific' },
        ],
      }),
      ingress({ name: 'wild', host: '*.apps.example.com', paths: [{ path: '/', service: 'api', port: 8080 }] }),
      ingress({ name: 'idle', host: 'idle.example.com', paths: [{ service: 'idle' }] }),
      ingress({ name: 'gone', host: 'gone.example.com', paths: [{ service: 'missing' }] }),
      ingress({ name: 'partner', host: 'partner.example.com', paths: [{ service: 'ext', port: 443 }], annotations: annotations({ 'backend-protocol': 'HTTPS' }) }),
      ingress({ name: 'anyhost', rules: [{ paths: [{ path: '/status', pathType: 'Exact' }] }] }),
      ingress({ name: 'fallback', rules: [], defaultBackend: { service: 'web' } }),
    ),

  tls: () =>
    shopCluster(
      ...services(),
      tlsSecret('shop', 'secure-tls', TEST_CERT, TEST_KEY),
      ingress({ name: 'secure', host: 'secure.example.com', tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }] }),
      ingress({ name: 'lenient', host: 'lenient.example.com', tls: [{ hosts: ['lenient.example.com'], secretName: 'secure-tls' }], annotations: annotations({ 'ssl-redirect': 'false' }) }),
      ingress({ name: 'forced', host: 'forced.example.com', annotations: annotations({ 'force-ssl-redirect': 'true' }) }),
    ),

  annotations: () =>
    shopCluster(
      ...services(),
      ingress({
        name: 'rewrite',
        host: 'app.example.com',
        annotations: annotations({ 'use-regex': 'true', 'rewrite-target': '/$2' }),
        paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific' }],
      }),
      ingress({ name: 'app-prefix', host: 'app.example.com', paths: [{ path: '/static', pathType: 'Prefix' }, { path: '/', pathType: 'Prefix', service: 'api', port: 8080 }] }),
      ingress({
        name: 'limits',
        host: 'limits.example.com',
        annotations: annotations({
          'proxy-body-size': '8m',
          'proxy-connect-timeout': '3',
          'proxy-read-timeout': '120',
          'proxy-send-timeout': '30',
          'allowlist-source-range': '192.168.0.0/16, 10.0.0.0/8',
          'app-root': '/app',
        }),
      }),
      ingress({ name: 'moved', host: 'moved.example.com', annotations: annotations({ 'permanent-redirect': 'https://new.example.com/' }) }),
      ingress({
        name: 'cors',
        host: 'cors.example.com',
        annotations: annotations({ 'enable-cors': 'true', 'cors-allow-origin': 'https://a.example.com, https://*.b.example.com', 'cors-max-age': '600' }),
      }),
      ingress({ name: 'sticky', host: 'sticky.example.com', annotations: annotations({ affinity: 'cookie', 'session-cookie-name': 'ROUTE', 'session-cookie-samesite': 'Lax' }) }),
      ingress({ name: 'grpc', host: 'grpc.example.com', annotations: annotations({ 'backend-protocol': 'GRPC', 'proxy-read-timeout': '300' }), paths: [{ service: 'api', port: 8080 }] }),
    ),

  // Path semantics (issue 10): Exact "/docs/" never becomes `location = "/docs/"` (nginx would
  // 301 "/docs" to it); Prefix "/api/", ImplementationSpecific "/api" and Prefix "/api" are one
  // route, which the oldest Ingress wins.
  paths: () =>
    shopCluster(
      ...services(),
      ingress({
        name: 'docs',
        host: 'paths.example.com',
        creationTimestamp: '2020-01-01T00:00:00Z',
        paths: [
          { path: '/docs/', pathType: 'Exact' },
          { path: '/api/', pathType: 'Prefix', service: 'api', port: 8080 },
        ],
      }),
      ingress({ name: 'impl', host: 'paths.example.com', creationTimestamp: '2021-01-01T00:00:00Z', paths: [{ path: '/api', pathType: 'ImplementationSpecific' }] }),
      ingress({
        name: 'regex',
        host: 'regex.example.com',
        annotations: annotations({ 'use-regex': 'true' }),
        paths: [
          { path: '/v[0-9]+/', pathType: 'ImplementationSpecific' },
          { path: '/v1/', pathType: 'Exact', service: 'api', port: 8080 },
        ],
      }),
    ),

  // Rate limits (per-Ingress zones at http level), deny-lists, custom error pages (named
  // locations per server) and the access-log switch.
  'rate-limits': () =>
    shopCluster(
      ...services(),
      ingress({
        name: 'throttled',
        host: 'throttled.example.com',
        annotations: annotations({ 'limit-rps': '10', 'limit-connections': '5', 'limit-allowlist': '10.0.0.0/8', 'limit-rate': '512', 'limit-rate-after': '1024' }),
        paths: [{ path: '/api', pathType: 'Prefix', service: 'api', port: 8080 }, { path: '/' }],
      }),
      ingress({ name: 'per-minute', host: 'throttled.example.com', annotations: annotations({ 'limit-rpm': '300', 'limit-burst-multiplier': '2' }), paths: [{ path: '/slow' }] }),
      ingress({
        name: 'guarded',
        host: 'guarded.example.com',
        annotations: annotations({ 'denylist-source-range': '10.9.0.0/16', 'allowlist-source-range': '10.0.0.0/8', satisfy: 'any', 'enable-access-log': 'false' }),
      }),
      ingress({
        name: 'errors',
        host: 'errors.example.com',
        annotations: annotations({ 'custom-http-errors': '404, 503', 'default-backend': 'api' }),
        paths: [{ path: '/' }, { path: '/idle', service: 'idle' }],
      }),
    ),
};

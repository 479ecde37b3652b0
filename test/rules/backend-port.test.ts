import { describe, expect, test } from 'vitest';
import type { Ingress } from '../../src/k8s/types.js';
import { backendPortRule } from '../../src/rules/backend-port.js';
import { contextFor, ingress, service, shopCluster } from '../fixtures/builders.js';

interface Case {
  name: string;
  ingress: Ingress;
  expected: { path: string; message: string }[];
}

// shopCluster: shop/web has 80/http and 443/https.
const cluster = shopCluster(
  service('shop', 'plain', [{ port: 8080 }, { port: 9090, name: 'metrics' }]),
  service('shop', 'none', []),
  service('shop', 'external', [], { type: 'ExternalName', externalName: 'api.example.net' }),
  service('shop', 'external-ported', [{ name: 'https', port: 443 }], { type: 'ExternalName', externalName: 'api.example.net' }),
);

function withPort(port: Record<string, unknown>): Ingress {
  const ing = ingress();
  return { ...ing, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port } } }] } }] } };
}

describe('backend-port rule', () => {
  test.for<Case>([
    { name: 'a port number the Service has', ingress: ingress({ paths: [{ port: 443 }] }), expected: [] },
    { name: 'a port name the Service has', ingress: ingress({ paths: [{ port: 'https' }] }), expected: [] },
    { name: 'a port number of an unnamed Service port', ingress: ingress({ paths: [{ service: 'plain', port: 8080 }] }), expected: [] },
    { name: 'any port of an ExternalName Service without ports', ingress: ingress({ paths: [{ service: 'external', port: 8443 }] }), expected: [] },
    { name: 'a missing Service is left to backend-service', ingress: ingress({ paths: [{ service: 'ghost', port: 1 }] }), expected: [] },
    {
      name: 'a wrong port number, listing the Service ports',
      ingress: ingress({ paths: [{ path: '/a' }, { path: '/b', port: 8080 }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[1].backend.service.port.number',
          message: 'service "web" in namespace "shop" has no port 8080 (ports: 80/http, 443/https)',
        },
      ],
    },
    {
      name: 'a wrong port name',
      ingress: ingress({ paths: [{ port: 'grpc' }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.port.name',
          message: 'service "web" in namespace "shop" has no port named "grpc" (ports: 80/http, 443/https)',
        },
      ],
    },
    {
      name: 'a target port number instead of the Service port',
      ingress: ingress({ paths: [{ service: 'plain', port: 9091 }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.port.number',
          message: 'service "plain" in namespace "shop" has no port 9091 (ports: 8080, 9090/metrics)',
        },
      ],
    },
    {
      name: 'a Service without any ports',
      ingress: ingress({ paths: [{ service: 'none', port: 80 }] }),
      expected: [{ path: 'spec.rules[0].http.paths[0].backend.service.port.number', message: 'service "none" in namespace "shop" has no port 80 (ports: none)' }],
    },
    {
      name: 'an ExternalName Service with ports is held to them',
      ingress: ingress({ paths: [{ service: 'external-ported', port: 80 }] }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.port.number',
          message: 'service "external-ported" in namespace "shop" has no port 80 (ports: 443/https)',
        },
      ],
    },
    {
      name: 'a wrong defaultBackend port',
      ingress: ingress({ defaultBackend: { port: 81 } }),
      expected: [{ path: 'spec.defaultBackend.service.port.number', message: 'service "web" in namespace "shop" has no port 81 (ports: 80/http, 443/https)' }],
    },
    {
      name: 'a backend port with neither number nor name',
      ingress: withPort({}),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.port',
          message: 'backend port of service "web" in namespace "shop" sets neither number nor name (ports: 80/http, 443/https)',
        },
      ],
    },
    {
      name: 'a backend port with both number and name',
      ingress: withPort({ number: 80, name: 'http' }),
      expected: [{ path: 'spec.rules[0].http.paths[0].backend.service.port', message: 'backend port sets both number and name; set exactly one' }],
    },
    {
      name: 'a port number given as a string is not a number',
      ingress: withPort({ number: '80' }),
      expected: [
        {
          path: 'spec.rules[0].http.paths[0].backend.service.port',
          message: 'backend port of service "web" in namespace "shop" sets neither number nor name (ports: 80/http, 443/https)',
        },
      ],
    },
  ])('$name', ({ ingress: ing, expected }) => {
    expect(backendPortRule.check(ing, contextFor(cluster))).toEqual(expected.map((e) => ({ rule: 'backend-port', severity: 'deny', ...e })));
  });
});

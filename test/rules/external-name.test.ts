import { describe, expect, test } from 'vitest';
import { forbiddenExternalName } from '../../src/k8s/external-name.js';
import { externalNameRule } from '../../src/rules/external-name.js';
import { contextFor, ingress, service, shopCluster } from '../fixtures/builders.js';

const SERVICES = {
  loopback: '127.0.0.1',
  other: 'api.partner.example',
};

const ctx = (externalName: string) => contextFor(shopCluster(service('shop', 'ext', [{ name: 'http', port: 80 }], { type: 'ExternalName', externalName })));

describe('forbiddenExternalName', () => {
  test.for([
    '127.0.0.1',
    '127.9.9.9',
    '0.0.0.0',
    '169.254.169.254',
    '100.100.100.200',
    '::1',
    '::',
    '[::1]',
    '::ffff:127.0.0.1',
    'fe80::1',
    'fd00:ec2::254',
    'localhost',
    'LocalHost.',
    'gatehouse.localhost',
    'metadata.google.internal',
    '',
  ])('refuses %j', (target) => {
    expect(forbiddenExternalName(target)).toBeDefined();
  });

  test.for(['api.partner.example', '10.1.2.3', '192.168.1.10', '2001:db8::1', 'localhost.example.com', 'my-metadata.example'])('allows %j', (target) => {
    expect(forbiddenExternalName(target)).toBeUndefined();
  });
});

describe('external-name rule', () => {
  test('denies a backend that is an ExternalName Service for a loopback address, at the backend field', () => {
    const findings = externalNameRule.check(ingress({ paths: [{ service: 'web', port: 80 }, { path: '/ext', service: 'ext', port: 80 }] }), ctx(SERVICES.loopback));
    expect(findings).toEqual([
      {
        rule: 'external-name',
        severity: 'deny',
        path: 'spec.rules[0].http.paths[1].backend.service.name',
        message: 'service "ext" is an ExternalName for "127.0.0.1": 127.0.0.1 is a loopback, link-local, unspecified or metadata address, which the controller never proxies to',
      },
    ]);
  });

  test('allows an ExternalName Service for an outside DNS name', () => {
    expect(externalNameRule.check(ingress({ paths: [{ service: 'ext', port: 80 }] }), ctx(SERVICES.other))).toEqual([]);
  });
});

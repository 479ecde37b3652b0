// proxy-ssl-*: what the webhook denies (with the controller's reason) and what the feature renders.
import { describe, expect, test } from 'vitest';
import { backendTlsFeature, type BackendTlsConfig } from '../../../src/annotations/features/backend-tls.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import type { Secret } from '../../../src/k8s/types.js';
import { annotationsRule } from '../../../src/rules/annotations.js';
import { DEFAULT_RULE_OPTIONS, type Finding } from '../../../src/rules/types.js';
import { contextFor, ingress, opaqueSecret as caSecret, shopCluster } from '../../fixtures/builders.js';
import { createTestCa } from '../../fixtures/pki.js';

const P = 'nginx.ingress.kubernetes.io/';
const ca = createTestCa('Backend CA');
const client = ca.issue({ cn: 'nginx', usage: 'client' });

function check(raw: Record<string, string>, secrets: Secret[]): Finding[] {
  const annotations = Object.fromEntries(Object.entries(raw).map(([k, v]) => [P + k, v]));
  return annotationsRule.check(ingress({ annotations }), contextFor(shopCluster(...secrets), { options: DEFAULT_RULE_OPTIONS }));
}

function finding(severity: 'deny' | 'warn', key: string, message: string): Finding {
  return { rule: 'annotations', severity, path: `metadata.annotations[${P}${key}]`, message };
}

describe('proxy-ssl-*: the webhook denies what the controller cannot serve', () => {
  const https = { 'backend-protocol': 'HTTPS' };

  test.for<[string, Record<string, string>, Secret[]]>([
    ['a CA to verify with', { ...https, 'proxy-ssl-secret': 'trust', 'proxy-ssl-verify': 'on', 'proxy-ssl-name': 'backend.shop.svc' }, [caSecret('shop', 'trust', { 'ca.crt': ca.cert })]],
    ['a client certificate only', { ...https, 'proxy-ssl-secret': 'client' }, [caSecret('shop', 'client', { 'tls.crt': client.cert, 'tls.key': client.key })]],
    ['SNI, protocols and ciphers without a Secret', { ...https, 'proxy-ssl-server-name': 'on', 'proxy-ssl-protocols': 'TLSv1.3', 'proxy-ssl-ciphers': 'HIGH:!aNULL' }, []],
  ])('%s is allowed', ([, raw, secrets]) => {
    expect(check(raw, secrets)).toEqual([]);
  });

  test.for<[string, Record<string, string>, Secret[], Finding]>([
    ['a missing Secret', { ...https, 'proxy-ssl-secret': 'absent' }, [caSecret('shop', 'x', {})], finding('deny', 'proxy-ssl-secret', 'annotation proxy-ssl-secret names Secret shop/absent, which does not exist')],
    ['a Secret with neither pair nor CA', { ...https, 'proxy-ssl-secret': 'empty' }, [caSecret('shop', 'empty', { auth: 'x' })], finding('deny', 'proxy-ssl-secret', 'proxy-ssl-secret: Secret shop/empty has neither tls.crt and tls.key nor ca.crt')],
    ['a key that does not match', { ...https, 'proxy-ssl-secret': 'bad' }, [caSecret('shop', 'bad', { 'tls.crt': client.cert, 'tls.key': ca.key })], finding('deny', 'proxy-ssl-secret', 'proxy-ssl-secret: Secret shop/bad tls.key does not match the certificate in tls.crt')],
    ['garbage PEM in ca.crt', { ...https, 'proxy-ssl-secret': 'bad' }, [caSecret('shop', 'bad', { 'ca.crt': 'junk' })], finding('deny', 'proxy-ssl-secret', 'proxy-ssl-secret: Secret shop/bad: ca.crt is not a PEM certificate')],
    [
      'verify on with a Secret without ca.crt',
      { ...https, 'proxy-ssl-secret': 'client', 'proxy-ssl-verify': 'on' },
      [caSecret('shop', 'client', { 'tls.crt': client.cert, 'tls.key': client.key })],
      finding('deny', 'proxy-ssl-verify', 'proxy-ssl-verify is on, but Secret shop/client has no ca.crt to verify the backend with'),
    ],
    ['a cipher list OpenSSL does not know', { ...https, 'proxy-ssl-ciphers': 'NOT-A-CIPHER' }, [], finding('deny', 'proxy-ssl-ciphers', 'invalid value "NOT-A-CIPHER": selects no cipher OpenSSL knows')],
    ['an HTTP backend', { 'proxy-ssl-server-name': 'on' }, [], finding('warn', 'proxy-ssl-server-name', 'has no effect: nginx speaks HTTP to the backend; set nginx.ingress.kubernetes.io/backend-protocol to HTTPS or GRPCS')],
  ])('%s', ([, raw, secrets, expected]) => {
    expect(check(raw, secrets)).toContainEqual(expected);
  });

  test.for([
    ['proxy-ssl-ciphers', 'HIGH;return 200', false],
    ['proxy-ssl-ciphers', 'ECDHE-RSA-AES128-GCM-SHA256', true],
    ['proxy-ssl-protocols', 'TLSv1.2 TLSv1.3', true],
    ['proxy-ssl-protocols', 'TLSv1', false],
    ['proxy-ssl-protocols', 'SSLv3', false],
    ['proxy-ssl-name', 'backend.shop.svc', true],
    ['proxy-ssl-name', '$host', false],
    ['proxy-ssl-name', '*.shop.svc', false],
    ['proxy-ssl-verify', 'yes', false],
  ] as const)('%s %s accepted: %s', ([key, value, ok]) => {
    expect(checkAnnotationValue(key, value).ok).toBe(ok);
  });
});

describe('backend-tls: what is rendered', () => {
  const config: BackendTlsConfig = {
    tls: true,
    certificate: { file: 'pair.pem', content: 'x' },
    ca: { file: 'ca.pem', content: 'y' },
    verify: true,
    depth: 2,
    name: 'backend.shop.svc',
    serverName: true,
    protocols: 'TLSv1.3',
    ciphers: 'HIGH',
  };
  const ctx = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c', match: 'prefix', path: '/' } as const;

  test.for(['proxy', 'grpc'] as const)('%s_ssl_* directives', (pass) => {
    expect(backendTlsFeature.location!(config, { ...ctx, pass }).directives).toEqual([
      `${pass}_ssl_certificate "/c/pair.pem";`,
      `${pass}_ssl_certificate_key "/c/pair.pem";`,
      `${pass}_ssl_trusted_certificate "/c/ca.pem";`,
      `${pass}_ssl_verify on;`,
      `${pass}_ssl_verify_depth 2;`,
      `${pass}_ssl_name backend.shop.svc;`,
      `${pass}_ssl_server_name on;`,
      `${pass}_ssl_protocols TLSv1.3;`,
      `${pass}_ssl_ciphers "HIGH";`,
    ]);
  });

  test('nothing for an HTTP backend or a location that does not proxy', () => {
    expect(backendTlsFeature.location!({ ...config, tls: false }, ctx)).toEqual({});
    expect(backendTlsFeature.location!(config, { ...ctx, proxies: false })).toEqual({});
    expect(backendTlsFeature.files!({ ...config, tls: false })).toEqual([]);
  });

  test('a Secret not known (admission without Secrets) is never served without it', () => {
    expect(backendTlsFeature.location!({ tls: true, unknownSecret: true, verify: true, depth: 1, protocols: 'TLSv1.2 TLSv1.3' }, ctx)).toEqual({ rewrite: ['return 503;'] });
  });
});

import { describe, expect, test } from 'vitest';
import { customErrorsFeature, type CustomErrorsConfig } from '../../../src/annotations/features/custom-errors.js';
import { ingressSettingsOf } from '../../../src/annotations/ingress-settings.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import type { ClusterSnapshot } from '../../../src/k8s/snapshot.js';
import { service, shopCluster } from '../../fixtures/builders.js';
import { endpointSlice } from '../../fixtures/endpoint-slices.js';

function configOf(raw: Record<string, string>, cluster?: ClusterSnapshot): CustomErrorsConfig | undefined {
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, (checkAnnotationValue(k, v) as { value: unknown }).value]));
  const settings = ingressSettingsOf(values, { namespace: 'shop', name: 'web', ...(cluster ? { cluster } : {}) });
  if ('error' in settings) throw new Error(settings.error);
  return settings.features['custom-errors'];
}

const location = (proxies: boolean) => ({ pass: 'proxy', proxies, source: 'shop/web', secretsDir: '/c', match: 'prefix', path: '/' }) as const;
const CLUSTER = shopCluster(
  service('shop', 'pages', [{ name: 'web', port: 8080 }, { name: 'other', port: 9090 }]),
  endpointSlice('shop', 'pages', ['10.0.0.9'], 3000, { portName: 'web' }),
  service('shop', 'idle'),
);

describe('custom-errors: parse', () => {
  test('codes sorted and distinct; intercepting by default', () => {
    expect(configOf({ 'custom-http-errors': '503, 404,503' })).toMatchObject({ codes: [404, 503], intercept: true, namespace: 'shop', ingress: 'web' });
  });

  test('disable-proxy-intercept-errors', () => {
    expect(configOf({ 'custom-http-errors': '503', 'disable-proxy-intercept-errors': 'true' })).toMatchObject({ intercept: false });
  });

  test('default-backend resolves to the first port of the Service while it has ready endpoints', () => {
    expect(configOf({ 'default-backend': 'pages' }, CLUSTER)?.defaultBackend).toEqual({
      service: 'pages',
      upstream: { name: 'shop_pages_web', endpoints: [{ host: '10.0.0.9', port: 3000 }] },
    });
  });

  test.for(['idle', 'missing'])('default-backend %s without ready endpoints is ignored, as in ingress-nginx', (name) => {
    expect(configOf({ 'default-backend': name }, CLUSTER)?.defaultBackend).toEqual({ service: name });
  });
});

describe('custom-errors: nginx lines', () => {
  test('a proxying location intercepts the codes and sends them to named locations', () => {
    const c = configOf({ 'custom-http-errors': '404, 503' })!;
    expect(customErrorsFeature.location!(c, location(true)).directives).toEqual([
      'proxy_intercept_errors on;',
      `error_page 404 = @gh_custom_error_${c.id}_404;`,
      `error_page 503 = @gh_custom_error_${c.id}_503;`,
    ]);
  });

  test('a location without endpoints sends its 503 to the default-backend annotation\'s Service', () => {
    const c = configOf({ 'custom-http-errors': '503, 404', 'default-backend': 'pages' }, CLUSTER)!;
    expect(customErrorsFeature.location!(c, location(false)).directives).toEqual([`error_page 503 = @gh_default_backend_${c.id};`, `error_page 404 = @gh_custom_error_${c.id}_404;`]);
  });

  test('the named locations proxy to the default backend, or answer nginx\'s own page without one', () => {
    const c = configOf({ 'custom-http-errors': '503' })!;
    const withDefault = customErrorsFeature.server!(c, { secretsDir: '/c', defaultUpstream: 'upstream-default' });
    expect(withDefault).toContain('    proxy_set_header X-Code 503;');
    expect(withDefault).toContain('    proxy_pass http://upstream-default;');
    expect(customErrorsFeature.server!(c, { secretsDir: '/c' })).toEqual([`location @gh_custom_error_${c.id}_503 {`, '    return 503;', '}']);
  });
});

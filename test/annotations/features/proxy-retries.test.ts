import { describe, expect, test } from 'vitest';
import { proxyRetriesFeature } from '../../../src/annotations/features/proxy-retries.js';
import type { LocationContext } from '../../../src/annotations/feature.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

const CTX: LocationContext = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c/certs', match: 'prefix', path: '/' };

describe('proxy-next-upstream values', () => {
  test.for([
    ['error timeout http_502', true],
    ['off', true],
    ['error timeout invalid_header http_500 http_502 http_503 http_504 http_403 http_404 http_429 non_idempotent', true],
    ['error,timeout', false],
    ['error  timeout', false],
    ['http_501', false],
    ['error; return 200', false],
  ] as const)('%j accepted: %s', ([value, ok]) => {
    expect(checkAnnotationValue('proxy-next-upstream', value).ok).toBe(ok);
  });

  test('"off" with other conditions is denied', () => {
    expect(proxyRetriesFeature.check!({ 'proxy-next-upstream': 'error off' })).toEqual([
      { key: 'proxy-next-upstream', severity: 'deny', message: '`off` cannot be combined with other conditions' },
    ]);
  });

  test.for([
    ['proxy-next-upstream-tries', '20', true],
    ['proxy-next-upstream-tries', '21', false],
    ['proxy-next-upstream-timeout', '3600', true],
    ['proxy-next-upstream-timeout', '10s', false],
  ] as const)('%s %j accepted: %s', ([key, value, ok]) => {
    expect(checkAnnotationValue(key, value).ok).toBe(ok);
  });
});

describe('proxy-next-upstream directives', () => {
  test.for(['proxy', 'grpc'] as const)('%s locations get %s_next_upstream*', (pass) => {
    expect(proxyRetriesFeature.location!({ conditions: 'error timeout', timeout: 5, tries: 2 }, { ...CTX, pass }).directives).toEqual([
      `${pass}_next_upstream error timeout;`,
      `${pass}_next_upstream_timeout 5s;`,
      `${pass}_next_upstream_tries 2;`,
    ]);
  });

  test('nothing where the location does not proxy', () => {
    expect(proxyRetriesFeature.location!({ tries: 2 }, { ...CTX, proxies: false })).toEqual({});
  });
});

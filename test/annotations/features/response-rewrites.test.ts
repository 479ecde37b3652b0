import { describe, expect, test } from 'vitest';
import { responseRewritesFeature } from '../../../src/annotations/features/response-rewrites.js';
import { AnnotationReader } from '../../../src/annotations/reader.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

const parse = (values: Record<string, unknown>) => responseRewritesFeature.parse!(new AnnotationReader(values), { namespace: 'shop' });

describe('response rewrite values', () => {
  test.for([
    ['proxy-redirect-from', 'default', true],
    ['proxy-redirect-from', 'http://internal/', true],
    ['proxy-redirect-from', '~^http://(.*)$', false],
    ['proxy-redirect-to', '/app/', true],
    ['proxy-redirect-to', '$scheme://x/', false],
    ['proxy-cookie-domain', 'internal.local example.com', true],
    ['proxy-cookie-domain', '.internal.local .example.com', true],
    ['proxy-cookie-domain', 'off', true],
    ['proxy-cookie-domain', 'only-one.com', false],
    ['proxy-cookie-domain', '~\\.internal$ example.com', false],
    ['proxy-cookie-path', '/ /app/', true],
    ['proxy-cookie-path', '/a /b /c', false],
    ['proxy-cookie-path', '/a $uri', false],
  ] as const)('%s %j accepted: %s', ([key, value, ok]) => {
    expect(checkAnnotationValue(key, value).ok).toBe(ok);
  });
});

describe('response rewrite config', () => {
  test.for([
    [{ 'proxy-redirect-from': 'off', 'proxy-redirect-to': '/x/' }, { redirect: 'off' }],
    [{ 'proxy-redirect-from': 'http://a.local/', 'proxy-redirect-to': '/x/' }, { redirect: '"http://a.local/" "/x/"' }],
    [{ 'proxy-redirect-from': 'http://a.local/' }, undefined],
    [{ 'proxy-cookie-domain': 'A.local .Example.com' }, { cookieDomain: '"a.local" ".example.com"' }],
    [{ 'proxy-cookie-path': '/ /app/' }, { cookiePath: '"/" "/app/"' }],
  ] as const)('%j → %j', ([values, config]) => {
    expect(parse(values)).toEqual(config);
  });

  test('proxy-redirect-from without proxy-redirect-to warns that it has no effect', () => {
    expect(responseRewritesFeature.check!({ 'proxy-redirect-from': 'http://a/' })).toEqual([{ key: 'proxy-redirect-from', severity: 'warn', message: 'has no effect without proxy-redirect-to', drop: true }]);
  });
});

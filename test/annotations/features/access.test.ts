import { describe, expect, test } from 'vitest';
import { accessFeature } from '../../../src/annotations/features/access.js';
import { ingressSettingsOf } from '../../../src/annotations/ingress-settings.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

function directivesOf(raw: Record<string, string>): readonly string[] | undefined {
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, (checkAnnotationValue(k, v) as { value: unknown }).value]));
  const settings = ingressSettingsOf(values, { namespace: 'shop' });
  if ('error' in settings) throw new Error(settings.error);
  const config = settings.features.access;
  return config && accessFeature.location!(config, { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c', match: 'prefix', path: '/' }).directives;
}

describe('access: allow, deny and satisfy', () => {
  test.for<[string, Record<string, string>, readonly string[] | undefined]>([
    ['nothing set', {}, undefined],
    ['a deny-list alone denies those and allows the rest', { 'denylist-source-range': '10.0.0.0/8, 192.168.1.1' }, ['deny 10.0.0.0/8;', 'deny 192.168.1.1;']],
    ['an allow-list alone', { 'allowlist-source-range': '10.0.0.0/8' }, ['allow 10.0.0.0/8;', 'deny all;']],
    [
      'both: denied ranges first (first match wins), as ingress-nginx renders them',
      { 'allowlist-source-range': '10.0.0.0/8', 'denylist-source-range': '10.1.0.0/16' },
      ['deny 10.1.0.0/16;', 'allow 10.0.0.0/8;', 'deny all;'],
    ],
    ['satisfy any', { 'allowlist-source-range': '10.0.0.0/8', satisfy: 'any' }, ['allow 10.0.0.0/8;', 'deny all;', 'satisfy any;']],
    ['satisfy all alone', { satisfy: 'all' }, ['satisfy all;']],
  ])('%s', ([, raw, expected]) => {
    expect(directivesOf(raw)).toEqual(expected);
  });
});

import { describe, expect, test } from 'vitest';
import { rateLimitFeature, type RateLimitConfig } from '../../../src/annotations/features/rate-limit.js';
import { ingressSettingsOf } from '../../../src/annotations/ingress-settings.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

function configOf(raw: Record<string, string>, name = 'web'): RateLimitConfig | undefined {
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, (checkAnnotationValue(k, v) as { value: unknown }).value]));
  const settings = ingressSettingsOf(values, { namespace: 'shop', name });
  if ('error' in settings) throw new Error(settings.error);
  return settings.features['rate-limit'];
}

const LEVEL = { secretsDir: '/etc/gatehouse/certs' };
const LOCATION = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: LEVEL.secretsDir, match: 'prefix', path: '/' } as const;

describe('rate-limit: parse', () => {
  test.for<[string, Record<string, string>, Partial<RateLimitConfig>]>([
    ['burst is five times the rate by default', { 'limit-rps': '10' }, { rps: { rate: 10, per: 's', burst: 50 } }],
    ['limit-burst-multiplier sets it', { 'limit-rpm': '60', 'limit-burst-multiplier': '2' }, { rpm: { rate: 60, per: 'm', burst: 120 } }],
    ['0 means no limit', { 'limit-rps': '0', 'limit-connections': '3' }, { connections: 3 }],
    ['limit-allowlist over limit-whitelist, sorted', { 'limit-rps': '1', 'limit-allowlist': '10.0.0.0/8, 127.0.0.2', 'limit-whitelist': '0.0.0.0/0' }, { rps: { rate: 1, per: 's', burst: 5 }, allowlist: ['10.0.0.0/8', '127.0.0.2'] }],
    ['limit-whitelist alone', { 'limit-rps': '1', 'limit-whitelist': '192.168.0.0/16' }, { rps: { rate: 1, per: 's', burst: 5 }, allowlist: ['192.168.0.0/16'] }],
    ['limit-rate alone, in kilobytes', { 'limit-rate': '100', 'limit-rate-after': '0' }, { rate: 100 }],
  ])('%s', ([, raw, expected]) => {
    const config = configOf(raw);
    expect(config).toMatchObject(expected);
    for (const key of ['rps', 'rpm', 'connections', 'rate', 'rateAfter'] as const) if (!(key in expected)) expect(config).not.toHaveProperty(key);
  });

  test('no rate-limit annotation, no config', () => {
    expect(configOf({})).toBeUndefined();
  });

  test('zones are per Ingress and per limits: another Ingress or another rate is another zone', () => {
    const a = configOf({ 'limit-rps': '5' }, 'a')!.id;
    expect(configOf({ 'limit-rps': '5' }, 'a')!.id).toBe(a);
    expect(configOf({ 'limit-rps': '5' }, 'b')!.id).not.toBe(a);
    expect(configOf({ 'limit-rps': '6' }, 'a')!.id).not.toBe(a);
  });
});

describe('rate-limit: nginx lines', () => {
  test('zones at http level keyed on the client address; limits in the location', () => {
    const c = configOf({ 'limit-rps': '5', 'limit-rpm': '100', 'limit-connections': '2', 'limit-burst-multiplier': '3', 'limit-rate': '64', 'limit-rate-after': '512' })!;
    expect(rateLimitFeature.http!(c, LEVEL)).toEqual([
      `limit_conn_zone $binary_remote_addr zone=gh_${c.id}_conn:1m;`,
      `limit_req_zone $binary_remote_addr zone=gh_${c.id}_rps:1m rate=5r/s;`,
      `limit_req_zone $binary_remote_addr zone=gh_${c.id}_rpm:1m rate=100r/m;`,
    ]);
    expect(rateLimitFeature.location!(c, LOCATION).directives).toEqual([
      `limit_conn gh_${c.id}_conn 2;`,
      `limit_req zone=gh_${c.id}_rps burst=15 nodelay;`,
      `limit_req zone=gh_${c.id}_rpm burst=300 nodelay;`,
      'limit_rate_after 512k;',
      'limit_rate 64k;',
    ]);
  });

  test('allow-listed clients get an empty key, which nginx does not count', () => {
    const c = configOf({ 'limit-rps': '5', 'limit-allowlist': '127.0.0.2, 2001:db8::/32' })!;
    expect(rateLimitFeature.http!(c, LEVEL)).toEqual([
      `geo $remote_addr $gh_limit_exempt_${c.id} {`,
      '    default 0;',
      '    127.0.0.2 1;',
      '    2001:db8::/32 1;',
      '}',
      `map $gh_limit_exempt_${c.id} $gh_limit_${c.id} {`,
      '    0 $binary_remote_addr;',
      '    1 "";',
      '}',
      `limit_req_zone $gh_limit_${c.id} zone=gh_${c.id}_rps:1m rate=5r/s;`,
    ]);
  });

  test('no zone without a request or connection limit', () => {
    expect(rateLimitFeature.http!(configOf({ 'limit-rate': '10', 'limit-allowlist': '10.0.0.0/8' })!, LEVEL)).toEqual([]);
  });
});

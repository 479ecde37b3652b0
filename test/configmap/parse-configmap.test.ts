import { describe, expect, test } from 'vitest';
import { CONFIGMAP_ENTRIES, configMapEntry } from '../../src/configmap/catalog.js';
import { DEFAULT_GLOBAL_CONFIG, judgeConfigMapValue, parseConfigMap } from '../../src/configmap/parse-configmap.js';

const accepted = CONFIGMAP_ENTRIES.flatMap((e) => e.examples.map((v) => [e.key, v] as const));
const refused = CONFIGMAP_ENTRIES.flatMap((e) => e.refused.map((v) => [e.key, v] as const));

describe('every key', () => {
  test.for(CONFIGMAP_ENTRIES.map((e) => e.key))('%s has a default its schema accepts and lists refused values', (key) => {
    const entry = configMapEntry(key)!;
    expect(judgeConfigMapValue(entry, entry.default).ok).toBe(true);
    expect(entry.refused.length).toBeGreaterThan(0);
  });

  test.for(accepted)('%s accepts %j', ([key, value]) => {
    const parsed = parseConfigMap({ [key]: value });
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (parsed.ok) expect(parsed.applied).toEqual([key]);
  });

  test.for(refused)('%s refuses %j', ([key, value]) => {
    const parsed = parseConfigMap({ [key]: value });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]!.message).toMatch(new RegExp(`^${key}: invalid value `));
  });

  test.for(CONFIGMAP_ENTRIES.map((e) => e.key))('%s refuses nginx syntax and line breaks whatever the schema', (key) => {
    for (const bad of ['1;', '1}', '"1"', '$x', '1\nworker_processes 1', '\u20281']) expect(parseConfigMap({ [key]: bad }).ok, bad).toBe(false);
  });
});

describe('typed values', () => {
  test('an empty or absent ConfigMap gives the defaults', () => {
    expect(parseConfigMap(undefined)).toEqual({ ok: true, config: DEFAULT_GLOBAL_CONFIG, applied: [], ignored: [] });
    expect(parseConfigMap({})).toMatchObject({ ok: true, config: DEFAULT_GLOBAL_CONFIG });
  });

  test.for([
    ['proxy-read-timeout', '3600', 'proxyReadTimeout', 3600],
    ['ssl-protocols', 'TLSv1.3 TLSv1.3', 'sslProtocols', ['TLSv1.3']],
    ['worker-processes', '4', 'workerProcesses', 4],
    ['worker-processes', 'auto', 'workerProcesses', 'auto'],
    ['hsts', 'True', 'hsts', true],
    ['use-http2', '0', 'useHttp2', false],
    ['annotations-risk-level', 'Medium', 'annotationsRiskLevel', 'medium'],
    ['use-forwarded-headers', 'true', 'useForwardedHeaders', true],
    ['proxy-real-ip-cidr', '10.0.0.0/8, 2001:db8::/32', 'proxyRealIpCidr', ['10.0.0.0/8', '2001:db8::/32']],
    ['forwarded-for-header', 'CF-Connecting-IP', 'forwardedForHeader', 'CF-Connecting-IP'],
    ['disable-access-log', 'true', 'disableAccessLog', true],
    ['access-log-format', 'combined', 'accessLogFormat', 'combined'],
  ] as const)('%s %j → %s %j', ([key, raw, field, value]) => {
    const parsed = parseConfigMap({ [key]: raw });
    expect(parsed.ok && parsed.config[field]).toEqual(value);
  });

  test('keys that override a flag are undefined when absent: the flag decides', () => {
    for (const field of ['useForwardedHeaders', 'forwardedForHeader', 'computeFullForwardedFor', 'proxyRealIpCidr', 'useProxyProtocol', 'disableAccessLog', 'accessLogFormat'] as const) {
      expect(DEFAULT_GLOBAL_CONFIG[field], field).toBeUndefined();
    }
  });

  test('every problem is reported at once, and one refuses the whole ConfigMap', () => {
    const parsed = parseConfigMap({ 'proxy-read-timeout': 'x', 'keep-alive': '-1', 'proxy-send-timeout': '30' });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        { key: 'keep-alive', message: 'keep-alive: invalid value "-1": must be whole seconds from 0 to 3600' },
        { key: 'proxy-read-timeout', message: 'proxy-read-timeout: invalid value "x": must be whole seconds from 1 to 3600' },
      ],
    });
  });

  test('a non-string value (binaryData decoded wrong, a fake API) is refused, not thrown', () => {
    expect(parseConfigMap({ 'keep-alive': 5 })).toMatchObject({ ok: false });
  });
});

describe('keys the controller does not read', () => {
  test('unknown keys and typos are ignored, reported for one log line', () => {
    expect(parseConfigMap({ 'proxy-read-timout': '5', 'enable-opentelemetry': 'true' })).toMatchObject({
      ok: true,
      ignored: ['enable-opentelemetry', 'proxy-read-timout'],
    });
  });

  test('keys of other features (custom errors) are neither read nor reported', () => {
    expect(parseConfigMap({ 'custom-http-errors': '404' })).toMatchObject({ ok: true, ignored: [], applied: [] });
  });

  // The client-IP and access-log keys are read now (groups/client-ip.ts, groups/access-log.ts);
  // ingress-nginx's logging keys Gatehouse does not implement are reported like any other.
  test('logging keys Gatehouse does not read are reported as ignored', () => {
    expect(parseConfigMap({ 'log-format-upstream': '$x', 'enable-real-ip': 'true', 'use-forwarded-headers': 'true' })).toMatchObject({
      ok: true,
      ignored: ['enable-real-ip', 'log-format-upstream'],
      applied: ['use-forwarded-headers'],
    });
  });

  test.for(['whitelist-source-range', 'denylist-source-range', 'block-cidrs', 'global-auth-url', 'enable-modsecurity', 'http-snippet', 'server-snippet', 'global-rate-limit-memcached-host', 'add-headers'])(
    '%s would fail open if ignored: the ConfigMap is refused',
    (key) => {
      const parsed = parseConfigMap({ [key]: 'x' });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problems[0]!.message).toMatch(/does not implement .*fail open/);
    },
  );
});

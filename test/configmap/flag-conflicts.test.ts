import { describe, expect, test } from 'vitest';
import { flagConflicts } from '../../src/configmap/flag-conflicts.js';
import { accessLogWith } from '../../src/configmap/groups/access-log.js';
import { clientIpWith } from '../../src/configmap/groups/client-ip.js';
import { parseConfigMap } from '../../src/configmap/parse-configmap.js';
import type { GlobalConfig } from '../../src/configmap/global-config.js';
import { DEFAULT_CLIENT_IP } from '../../src/nginx/client-ip.js';

function config(data: Record<string, string>): GlobalConfig {
  const parsed = parseConfigMap(data);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

const FLAGS = { ...DEFAULT_CLIENT_IP, useForwardedHeaders: true, proxyRealIpCidr: ['10.0.0.0/8'], forwardedForHeader: 'X-Client' };

describe('ConfigMap keys over flags', () => {
  test('keys absent: the flags decide', () => {
    expect(clientIpWith(FLAGS, config({}))).toEqual(FLAGS);
    expect(accessLogWith('stdout', 'combined', config({}))).toEqual({ target: 'stdout', format: 'combined' });
  });

  test('each key set overrides its flag, the others keep theirs', () => {
    expect(clientIpWith(FLAGS, config({ 'proxy-real-ip-cidr': '192.0.2.1', 'use-forwarded-headers': 'false' }))).toEqual({
      ...FLAGS,
      useForwardedHeaders: false,
      proxyRealIpCidr: ['192.0.2.1'],
    });
    expect(accessLogWith({ path: '/var/log/a.log' }, 'json', config({ 'access-log-format': 'combined' }))).toEqual({ target: { path: '/var/log/a.log' }, format: 'combined' });
  });

  test.for([
    ['disable-access-log "true" turns a flag target off', 'true', 'stdout', 'off'],
    ['disable-access-log "false" keeps the flag target', 'false', 'stdout', 'stdout'],
  ] as const)('%s', ([, value, target, expected]) => {
    expect(accessLogWith(target, 'json', config({ 'disable-access-log': value })).target).toBe(expected);
  });
});

describe('combinations refused with the flags in force', () => {
  test('use-forwarded-headers from the ConfigMap with --use-proxy-protocol', () => {
    const problems = flagConflicts({ clientIp: { ...DEFAULT_CLIENT_IP, useProxyProtocol: true }, accessLog: 'stdout' }, config({ 'use-forwarded-headers': 'true' }));
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^use-forwarded-headers and use-proxy-protocol together .*override the flags/)]);
  });

  test('the ConfigMap switching one off while turning the other on is fine', () => {
    expect(flagConflicts({ clientIp: { ...DEFAULT_CLIENT_IP, useProxyProtocol: true }, accessLog: 'stdout' }, config({ 'use-forwarded-headers': 'true', 'use-proxy-protocol': 'false' }))).toEqual([]);
  });

  test('disable-access-log "false" with --access-log off: no target to write to', () => {
    expect(flagConflicts({ accessLog: 'off' }, config({ 'disable-access-log': 'false' })).map((p) => p.key)).toEqual(['disable-access-log']);
    expect(flagConflicts({ accessLog: 'off' }, config({ 'disable-access-log': 'true' }))).toEqual([]);
  });
});

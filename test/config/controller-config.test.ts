import { describe, expect, test } from 'vitest';
import { CONTROLLER_FLAGS, controllerConfigFrom, nameserversOf } from '../../src/config/controller-config.js';
import { parseFlags } from '../../src/config/flags.js';
import { GatehouseError } from '../../src/errors.js';

function config(args: string[], env: NodeJS.ProcessEnv = {}) {
  return controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, args), env);
}

describe('controller configuration', () => {
  test('defaults', () => {
    const c = config([]);
    expect(c).toMatchObject({
      nginxBinary: 'nginx',
      configDir: '/tmp/gatehouse',
      httpListen: { host: '0.0.0.0', port: 80 },
      httpsListen: { host: '0.0.0.0', port: 443 },
      electionId: 'gatehouse-leader',
      electionNamespace: 'default',
      syncDelayMs: 200,
      syncMaxDelayMs: 1000,
      resolvers: [],
    });
    expect(c.webhook).toBeUndefined();
  });

  test('the election namespace comes from POD_NAMESPACE unless given', () => {
    expect(config([], { POD_NAMESPACE: 'ingress' }).electionNamespace).toBe('ingress');
    expect(config(['--election-namespace', 'x'], { POD_NAMESPACE: 'ingress' }).electionNamespace).toBe('x');
  });

  test('--webhook-listen takes the webhook TLS flags', () => {
    const c = config(['--webhook-listen', ':8443', '--self-signed']);
    expect(c.webhook).toMatchObject({ listen: { host: '0.0.0.0', port: 8443 }, tls: 'self-signed' });
  });

  test.for([
    ['TLS flags without --webhook-listen', ['--tls-cert-file', 'a', '--tls-key-file', 'b'], 'need --webhook-listen'],
    ['--webhook-listen without TLS', ['--webhook-listen', ':8443'], 'needs --tls-cert-file'],
    ['a bad --publish-service', ['--publish-service', 'just-a-name'], 'must be NAMESPACE/NAME'],
    ['both publish flags', ['--publish-service', 'a/b', '--publish-status-address', '1.2.3.4'], 'exclusive'],
    ['a relative --config-dir', ['--config-dir', 'conf'], 'absolute'],
    ['a resolver that is not an IP', ['--resolver', 'dns.local'], 'is not an IP address'],
    ['an access log path nginx.conf cannot hold', ['--access-log', '/tmp/a;b'], 'must be off, stdout or an absolute path'],
    ['a relative access log path', ['--access-log', 'access.log'], 'must be off, stdout or an absolute path'],
    ['a forwarded-for header that is no header name', ['--forwarded-for-header', 'X-F: 1'], 'not a header name'],
    ['a proxy-real-ip-cidr that is no CIDR', ['--proxy-real-ip-cidr', '10.0.0.0/8,bogus'], 'not an IP address or CIDR'],
    ['forwarded headers with PROXY protocol (needs a module plain nginx lacks)', ['--use-forwarded-headers', '--use-proxy-protocol'], 'choose one'],
  ] as const)('rejects %s', ([, args, message]) => {
    expect(() => config([...args])).toThrowError(GatehouseError);
    expect(() => config([...args])).toThrowError(message);
  });
});

describe('request logs and client IP', () => {
  test('defaults: JSON access log to stdout, traffic metrics on, nothing the client sends believed', () => {
    const c = config([]);
    expect(c).toMatchObject({ accessLog: 'stdout', accessLogFormat: 'json', trafficMetrics: true });
    expect(c.clientIp).toEqual({ useForwardedHeaders: false, forwardedForHeader: 'X-Forwarded-For', computeFullForwardedFor: false, proxyRealIpCidr: ['0.0.0.0/0'], useProxyProtocol: false });
  });

  test('the flags fill ClientIpOptions', () => {
    const c = config(['--use-forwarded-headers', '--compute-full-forwarded-for', '--proxy-real-ip-cidr', '10.0.0.0/8,fd00::/8', '--forwarded-for-header', 'CF-Connecting-IP']);
    expect(c.clientIp).toEqual({ useForwardedHeaders: true, forwardedForHeader: 'CF-Connecting-IP', computeFullForwardedFor: true, proxyRealIpCidr: ['10.0.0.0/8', 'fd00::/8'], useProxyProtocol: false });
  });

  test.for([
    ['off', 'off'],
    ['stdout', 'stdout'],
    ['/var/log/gatehouse/access.log', { path: '/var/log/gatehouse/access.log' }],
  ] as const)('--access-log %s', ([flag, expected]) => {
    expect(config(['--access-log', flag]).accessLog).toEqual(expected);
  });
});

test('nameserversOf reads the nameserver lines of resolv.conf', () => {
  expect(nameserversOf('search svc.cluster.local\nnameserver 10.96.0.10\n# nameserver 1.1.1.1\nnameserver fd00::a\nnameserver bogus\n')).toEqual(['10.96.0.10', 'fd00::a']);
});

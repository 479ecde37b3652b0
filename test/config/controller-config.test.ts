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
  ] as const)('rejects %s', ([, args, message]) => {
    expect(() => config([...args])).toThrowError(GatehouseError);
    expect(() => config([...args])).toThrowError(message);
  });
});

test('nameserversOf reads the nameserver lines of resolv.conf', () => {
  expect(nameserversOf('search svc.cluster.local\nnameserver 10.96.0.10\n# nameserver 1.1.1.1\nnameserver fd00::a\nnameserver bogus\n')).toEqual(['10.96.0.10', 'fd00::a']);
});

import { describe, expect, test } from 'vitest';
import { basicAuthFeature } from '../../../src/annotations/features/basic-auth.js';
import { ingressSettingsOf } from '../../../src/annotations/ingress-settings.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import type { ClusterSnapshot } from '../../../src/k8s/snapshot.js';
import type { Secret } from '../../../src/k8s/types.js';
import { shopCluster } from '../../fixtures/builders.js';

const APR1 = '$apr1$saltsalt$bHTbtgomzkPDQ8nyKRSUj.';

function secret(name: string, data: Record<string, string>, ns = 'shop'): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
}

function settings(raw: Record<string, string>, cluster?: ClusterSnapshot) {
  const values = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      const verdict = checkAnnotationValue(k, v);
      if (!verdict.ok) throw new Error(`${k}: ${verdict.reason}`);
      return [k, verdict.value];
    }),
  );
  return ingressSettingsOf(values, { namespace: 'shop', ...(cluster ? { cluster } : {}) });
}

const CLUSTER = shopCluster(secret('users', { auth: `alice:${APR1}\n` }), secret('users', { auth: `alice:${APR1}\n` }, 'default'), secret('bad', { auth: 'alice:secret\n' }));
const LOCATION = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/etc/gh/certs', match: 'prefix', path: '/' } as const;

describe('basic auth: what is served', () => {
  test('a usable Secret becomes a password file named in the location, credentials stripped', () => {
    const s = settings({ 'auth-type': 'basic', 'auth-secret': 'users', 'auth-realm': 'Staff only' }, CLUSTER);
    if ('error' in s) throw new Error(s.error);
    const c = s.features['basic-auth']!;
    expect(c).toMatchObject({ realm: 'Staff only', secret: 'shop/users', secretType: 'auth-file', file: { content: `alice:${APR1}\n` } });
    expect(basicAuthFeature.location!(c, LOCATION).directives).toEqual([
      'auth_basic "Staff only";',
      `auth_basic_user_file "/etc/gh/certs/${c.file!.file}";`,
      'proxy_set_header Authorization "";',
    ]);
    expect(basicAuthFeature.files!(c)).toEqual([c.file]);
  });

  test('without Secrets in the snapshot (admission without Secret access) the config refuses every request', () => {
    const s = settings({ 'auth-type': 'basic', 'auth-secret': 'users' });
    if ('error' in s) throw new Error(s.error);
    expect(basicAuthFeature.location!(s.features['basic-auth']!, LOCATION).directives).toEqual(['deny all;']);
  });
});

describe('basic auth: what is refused', () => {
  test.for([
    [{ 'auth-type': 'digest', 'auth-secret': 'users' }, 'auth-type', 'auth-type digest cannot be served: the bundled nginx has no digest authentication module; use basic (over HTTPS)'],
    [{ 'auth-type': 'basic', 'auth-secret': 'missing' }, 'auth-secret', 'auth-secret shop/missing does not exist'],
    [{ 'auth-type': 'basic', 'auth-secret': 'default/users' }, 'auth-secret', 'auth-secret default/users: Secrets of another namespace cannot be used (only namespace shop)'],
    [{ 'auth-type': 'basic', 'auth-secret': 'bad' }, 'auth-secret', 'auth-secret shop/bad (auth-file) cannot be used: it key auth, line 1: the password of user "alice" is not a hash nginx can check'],
    [{ 'auth-type': 'basic', 'auth-secret': 'users', 'auth-secret-type': 'auth-map' }, 'auth-secret', 'auth-secret shop/users (auth-map) cannot be used: it key "auth": the password of user "auth" is not a hash nginx can check'],
  ] as const)('%o', ([raw, key, message]) => {
    const s = settings(raw, CLUSTER);
    expect(s).toMatchObject({ key });
    expect('error' in s && s.error).toContain(message);
  });

  test.for([
    ['off', 'nginx reads the realm "off" as turning authentication off'],
    ['a "quoted" realm', undefined],
    ['$remote_user', undefined],
  ])('auth-realm %j is refused', ([realm, reason]) => {
    const verdict = checkAnnotationValue('auth-realm', realm!);
    expect(verdict.ok).toBe(false);
    if (reason) expect(!verdict.ok && verdict.reason).toContain(reason);
  });
});

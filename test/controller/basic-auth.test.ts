// Basic authentication on the real nginx: password files from Secrets, written 0600 by the applier.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject, Secret } from '../../src/k8s/types.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
// openssl passwd -apr1 -salt saltsalt right-password; -6 -salt saltsaltsalt bob-password; -apr1 -salt newsalt1 new-password
const ALICE = '$apr1$saltsalt$bHTbtgomzkPDQ8nyKRSUj.';
const ALICE_NEW = '$apr1$newsalt1$MgoDZkDcydRNSQjMEWywZ0';
const BOB = '$6$saltsaltsalt$qlIFi5uFOy7oWlzYo2.ZGGQQpB8YLxRqMbAf7IBOjsmxX/KemCHbrVGVYoQk.uCt31B9wq7hQBur66LrptxiN/';
const sha = (password: string) => `{SHA}${createHash('sha1').update(password).digest('base64')}`;

let nginx: NginxHarness;
let backend: Backend;

function secret(name: string, data: Record<string, string>): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop', name }, type: 'Opaque', data: encoded };
}

function annotated(name: string, host: string, annotations: Record<string, string>) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  return ingress({ name, host, annotations: prefixed, paths: [{ path: '/', service: 'app' }] });
}

function clusterWith(users: Secret): ReturnType<typeof shopCluster> {
  const objects: KubeObject[] = [
    service('shop', 'app'),
    endpointSlice('shop', 'app', [backend.ip], backend.port),
    users,
    secret('map-users', { dave: sha('dave-password') }),
    annotated('basic', 'basic.com', { 'auth-type': 'basic', 'auth-secret': 'users', 'auth-realm': 'Staff only' }),
    annotated('map', 'map.com', { 'auth-type': 'basic', 'auth-secret': 'shop/map-users', 'auth-secret-type': 'auth-map' }),
    annotated('missing', 'missing.com', { 'auth-type': 'basic', 'auth-secret': 'nobody-made-this' }),
  ];
  return shopCluster(...objects);
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const usersFile = (alice: string) => secret('users', { auth: `# staff\nalice:${alice}\nbob:${BOB}\r\ncarol:${sha('carol-password')}\n` });

beforeAll(async () => {
  backend = await startBackend('app', '127.0.0.43');
  nginx = await NginxHarness.create();
  // Workers read the 0600 password file at request time, so they must run as its owner: the
  // image runs everything as one non-root user; a root master would start them as nobody.
  if (process.getuid?.() === 0) {
    const options = nginx.renderOptions.bind(nginx);
    nginx.renderOptions = () => ({ ...options(), user: 'root' });
  }
  expect((await nginx.apply(clusterWith(usersFile(ALICE)))).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

describe('basic auth', () => {
  test('without credentials: 401 with the realm', async () => {
    const res = await nginx.get('basic.com', '/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Staff only"');
    expect(res.echo).toBeUndefined();
  });

  test('a wrong password: 401', async () => {
    const res = await nginx.get('basic.com', '/', { headers: basic('alice', 'wrong') });
    expect(res.status).toBe(401);
    expect(res.echo).toBeUndefined();
  });

  test.for([
    ['alice', 'right-password'], // $apr1$
    ['bob', 'bob-password'], // SHA-512 crypt, line ended by CRLF
    ['carol', 'carol-password'], // {SHA}
  ] as const)('%s with the right password reaches the backend, without the credentials', async ([user, password]) => {
    const res = await nginx.get('basic.com', '/', { headers: basic(user, password) });
    expect(res.status).toBe(200);
    expect(res.echo?.backend).toBe('app');
    expect(res.echo?.headers.authorization).toBeUndefined();
    expect(res.echo?.headers['x-forwarded-host']).toBe('basic.com');
  });

  test('auth-map: each key a user', async () => {
    expect((await nginx.get('map.com', '/', { headers: basic('dave', 'dave-password') })).status).toBe(200);
    expect((await nginx.get('map.com', '/', { headers: basic('dave', 'nope') })).status).toBe(401);
  });

  test('an Ingress whose Secret does not exist is left out, saying why', async () => {
    expect(nginx.lastBuild?.skipped).toEqual([{ ingress: 'shop/missing', reason: 'auth-secret shop/nobody-made-this does not exist' }]);
    expect((await nginx.get('missing.com', '/')).echo).toBeUndefined();
  });

  test('the password files are 0600 and hold only the normalized lines', async () => {
    const dir = join(nginx.dir, 'certs');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.htpasswd'));
    expect(files).toHaveLength(2);
    for (const f of files) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
  });

  test('a changed Secret is a new file: the old password is refused, the new one accepted', async () => {
    const before = (await readdir(join(nginx.dir, 'certs'))).filter((f) => f.endsWith('.htpasswd'));
    expect((await nginx.apply(clusterWith(usersFile(ALICE_NEW)))).status).toBe('applied');
    const after = (await readdir(join(nginx.dir, 'certs'))).filter((f) => f.endsWith('.htpasswd'));
    expect(after.filter((f) => !before.includes(f))).toHaveLength(1);
    expect(after).toHaveLength(2);
    expect((await nginx.get('basic.com', '/', { headers: basic('alice', 'right-password') })).status).toBe(401);
    expect((await nginx.get('basic.com', '/', { headers: basic('alice', 'new-password') })).status).toBe(200);
  });
});

import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { inspectServing } from '../src/certgen/inspect.js';
import { DEV_CERTS_DIR, DEV_HOSTS, generateDevCerts } from '../scripts/gen-dev-certs.js';

const scratch = await mkdtemp(join(tmpdir(), 'gh-devcerts-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const read = (name: string) => readFile(join(DEV_CERTS_DIR, name), 'utf8');

describe('committed dev certificates in certs/', () => {
  test('are a valid pair from ca.crt covering localhost, 127.0.0.1 and ::1 for at least another 30 days', async () => {
    const verdict = inspectServing({ ca: await read('ca.crt'), cert: await read('tls.crt'), key: await read('tls.key') }, DEV_HOSTS, new Date(), 30 * 86_400_000);
    expect(verdict.ok ? 'ok' : verdict.reason).toBe('ok');
  });

  test('openssl verify accepts them for 127.0.0.1', () => {
    const out = execFileSync('openssl', ['verify', '-verify_ip', '127.0.0.1', '-CAfile', join(DEV_CERTS_DIR, 'ca.crt'), join(DEV_CERTS_DIR, 'tls.crt')], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/: OK$/);
  });

  test('re-running the generator on them changes nothing', async () => {
    const copy = join(scratch, 'copy');
    await cp(DEV_CERTS_DIR, copy, { recursive: true });
    expect((await generateDevCerts(copy)).changed).toBe(false);
  });

  test('the generator issues a fresh set into an empty directory', async () => {
    const fresh = join(scratch, 'fresh');
    expect((await generateDevCerts(fresh)).changed).toBe(true);
    expect(await readFile(join(fresh, 'tls.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

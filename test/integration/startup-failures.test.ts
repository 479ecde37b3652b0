// Start-up failures explain themselves and end at once; SIGTERM is honoured at every stage.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../bench/lib.js';
import { NGINX_BINARY } from '../controller/harness.js';
import { freeControllerPorts, startController, type ControllerPorts } from '../support/controller-process.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gh-startup-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Starts the controller on free ports (`ports` replacing some) with a config dir of its own. */
async function start(options: { nginxBinary: string | null; args: string[]; env?: NodeJS.ProcessEnv }, ports: Partial<ControllerPorts> = {}): Promise<CliRun> {
  const free = await freeControllerPorts();
  return startController({ ...free, ...ports }, { ...options, configDir: join(scratch, `conf-${free.http}`) });
}

/** Resolves with the exit code, or 'still running' after `ms`. */
function within(code: Promise<number>, ms: number): Promise<number | 'still running'> {
  return Promise.race([code, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);
}

describe('the controller', () => {
  test('without an nginx binary: exits at once, naming the flag and the path', async () => {
    const run = await start({ nginxBinary: '/nonexistent/nginx', args: ['--snapshot', join(ROOT, 'examples/snapshot')] });
    expect(await within(run.code, 5000)).toBe(2);
    expect(run.stderr()).toContain('nginx binary "/nonexistent/nginx" is not an executable file: install Debian\'s nginx or pass --nginx-binary PATH');
  });

  test('without nginx on PATH: says which PATH it searched', async () => {
    const run = await start({ nginxBinary: null, args: ['--snapshot', join(ROOT, 'examples/snapshot')], env: { PATH: '/nonexistent-bin' } });
    expect(await within(run.code, 5000)).toBe(2);
    expect(run.stderr()).toContain('nginx binary "nginx" is not on PATH (/nonexistent-bin)');
  });

  describe('with a port it cannot bind', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => taken.close(() => r())));

    test('exits with nginx\'s bind error', async () => {
      const run = await start({ nginxBinary: NGINX_BINARY, args: ['--snapshot', join(ROOT, 'examples/snapshot')] }, { http: port });
      expect(await within(run.code, 20_000)).toBe(1);
      expect(run.stderr()).toMatch(/bind\(\) to 127\.0\.0\.1:\d+ failed \(98: Address already in use\)/);
    }, 30_000);
  });

  describe('SIGTERM while waiting for an API server that never answers', () => {
    let silent: Server;
    let kubeconfig: string;
    const sockets = new Set<import('node:net').Socket>();
    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as { port: number }).port;
      kubeconfig = join(scratch, 'silent.kubeconfig');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'u', user: { token: 'x' } }],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'c',
        }),
      );
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });

    test('stops at once and exits 0', async () => {
      const run = await start({ nginxBinary: NGINX_BINARY, args: ['--kubeconfig', kubeconfig] });
      expect(await within(run.code, 1500)).toBe('still running');
      const stopped = run.stop();
      expect(await within(stopped, 5000)).toBe(0);
    }, 20_000);
  });
});

describe('the webhook', () => {
  test('with neither --snapshot nor a kubeconfig outside a cluster: one line saying so', async () => {
    const [port, health] = [await freePort(), await freePort()];
    const run = runCli(['webhook', '--self-signed', '--log-level', 'silent', '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${health}`], {
      HOME: scratch,
    });
    const code = await within(run.code, 5000);
    if (code === 'still running') await run.stop();
    expect(code).not.toBe('still running');
    expect(run.stderr()).toContain('not in a cluster: pass --kubeconfig or --snapshot');
  });
});

// Issue 8: after `kill -9` of the controller its nginx kept running and held the ports, so the
// restarted controller failed to bind. The orphan here is a real nginx started by the test the way
// ProcessNginxRunner starts one (same config path, own process group), then left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProcessNginxRunner } from '../../src/controller/nginx-runner.js';
import { isOurNginxMaster, stopOrphanedNginx, type OrphanOutcome } from '../../src/controller/orphan-nginx.js';
import { eventually, freePort, NGINX_BINARY, request, startBackend, type Backend } from './harness.js';

let dir: string;
let port: number;
const started: ChildProcess[] = [];

/** A config on `port` answering `text`, plus optional locations. */
function conf(text: string, locations = ''): string {
  return [
    `pid "${dir}/nginx.pid";`,
    'worker_processes 1;',
    'events { worker_connections 64; }',
    'http {',
    '    access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path "${dir}/${t}_temp";`),
    `    server { listen 127.0.0.1:${port}; location / { return 200 "${text}"; } ${locations} }`,
    '}',
    '',
  ].join('\n');
}

/** An nginx as ProcessNginxRunner starts it, whose controller is gone; resolves once it serves. */
async function orphan(configPath = join(dir, 'nginx.conf')): Promise<number> {
  const child = spawn(NGINX_BINARY, ['-p', `${dir}/`, '-e', 'stderr', '-c', configPath, '-g', 'daemon off;'], { stdio: 'ignore', detached: true });
  started.push(child);
  expect(await eventually(async () => (await request(port, 'x', '/')).text === 'orphan')).toBe(true);
  return child.pid!;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-orphan-'));
  port = await freePort();
});
afterEach(async () => {
  // Only the processes this test started, by their PID (a group: nginx's workers too).
  for (const child of started.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await rm(dir, { recursive: true, force: true });
});

describe('isOurNginxMaster', () => {
  test.for([
    ['our master', 'nginx: master process /usr/sbin/nginx -p /gh/ -e stderr -c /gh/nginx.conf -g daemon off;', true],
    ['our master, config path last', 'nginx: master process /usr/sbin/nginx -c /gh/nginx.conf', true],
    ['a worker', 'nginx: worker process', false],
    ['another config dir', 'nginx: master process /usr/sbin/nginx -p /other/ -c /other/nginx.conf', false],
    ['a longer path with ours as prefix', 'nginx: master process /usr/sbin/nginx -c /gh/nginx.conf.bak', false],
    ['not nginx', '/bin/sleep 30 -c /gh/nginx.conf', false],
  ] as const)('%s', ([, cmdline, ours]) => {
    expect(isOurNginxMaster(cmdline, '/gh/nginx.conf')).toBe(ours);
  });
});

describe('stopOrphanedNginx', () => {
  const stop = (over: Partial<Parameters<typeof stopOrphanedNginx>[0]> = {}): Promise<OrphanOutcome> =>
    stopOrphanedNginx({ pidFile: join(dir, 'nginx.pid'), configPath: join(dir, 'nginx.conf'), ...over });

  test('no pid file: nothing to do', async () => {
    expect(await stop()).toEqual({ kind: 'none' });
  });

  test('a pid file naming a process that is gone: nothing to do', async () => {
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    await writeFile(join(dir, 'nginx.pid'), `${child.pid}\n`);
    expect(await stop()).toEqual({ kind: 'none' });
  });

  test('a pid file naming a live process that is not our nginx: left alone', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
    started.push(sleeper);
    await writeFile(join(dir, 'nginx.pid'), `${sleeper.pid}\n`);
    expect(await stop()).toEqual({ kind: 'foreign', pid: sleeper.pid });
    expect(alive(sleeper.pid!)).toBe(true);
  });

  test('an nginx on another config is not ours: left alone', async () => {
    await writeFile(join(dir, 'other.conf'), conf('orphan'));
    const pid = await orphan(join(dir, 'other.conf'));
    expect(await stop()).toEqual({ kind: 'foreign', pid });
    expect((await request(port, 'x', '/')).text).toBe('orphan');
  });

  test('our orphaned nginx is stopped gracefully by its PID and frees the port', async () => {
    await writeFile(join(dir, 'nginx.conf'), conf('orphan'));
    const pid = await orphan();
    expect(await stop()).toEqual({ kind: 'stopped', pid, signal: 'SIGQUIT' });
    await expect(request(port, 'x', '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  test('an orphan still finishing a request after the graceful timeout gets SIGTERM', async () => {
    const hanging: Backend = await startBackend('hang', '127.0.0.62', () => true); // never answers
    try {
      await writeFile(join(dir, 'nginx.conf'), conf('orphan', `location = /hang { proxy_pass http://${hanging.ip}:${hanging.port}; }`));
      const pid = await orphan();
      const inFlight = request(port, 'x', '/hang').catch((err: Error) => err);
      expect(await eventually(async () => hanging.connections() > 0)).toBe(true);
      expect(await stop({ quitTimeoutMs: 300 })).toEqual({ kind: 'stopped', pid, signal: 'SIGTERM' });
      await inFlight;
    } finally {
      await hanging.close();
    }
  });
});

describe('ProcessNginxRunner.start() with an orphan on its config dir', () => {
  test('takes over: the orphan is stopped and the new nginx serves on the same port', async () => {
    await writeFile(join(dir, 'nginx.conf'), conf('orphan'));
    const old = await orphan();
    // The restarted controller's config (what it just rendered) replaces the file.
    await writeFile(join(dir, 'nginx.conf'), conf('new'));
    const seen: OrphanOutcome[] = [];
    const runner = new ProcessNginxRunner({ binary: NGINX_BINARY, configDir: dir, onOrphan: (o) => seen.push(o) });
    try {
      await runner.start();
      expect(seen).toEqual([{ kind: 'stopped', pid: old, signal: 'SIGQUIT' }]);
      expect(alive(old)).toBe(false);
      expect((await request(port, 'x', '/')).text).toBe('new');
    } finally {
      await runner.stop();
    }
  });

  test('a keep-alive client of the orphan reaches the new nginx on its next request', async () => {
    await writeFile(join(dir, 'nginx.conf'), conf('orphan'));
    await orphan();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await request(port, 'x', '/', { agent })).status).toBe(200);
      await writeFile(join(dir, 'nginx.conf'), conf('new'));
      const runner = new ProcessNginxRunner({ binary: NGINX_BINARY, configDir: dir });
      try {
        await runner.start();
        // The idle keep-alive connection was closed by the quitting orphan; a new one reaches the new nginx.
        expect(await eventually(async () => (await request(port, 'x', '/', { agent })).text === 'new')).toBe(true);
      } finally {
        await runner.stop();
      }
    } finally {
      agent.destroy();
    }
  });
});

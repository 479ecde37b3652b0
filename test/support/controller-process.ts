// `gatehouse controller` run in process by a test: on free loopback ports, with the test's nginx,
// quick to pick up changes; the test adds its source (--snapshot or --kubeconfig) and specifics.
import { chmodSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../bench/lib.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { NGINX_BINARY } from '../controller/harness.js';
import { runCli, type CliRun } from './run-cli.js';

/** The ports a controller listens on, all on 127.0.0.1. */
export interface ControllerPorts {
  readonly http: number;
  readonly https: number;
  readonly health: number;
  readonly status: number;
}

/** Four ports free right now. */
export async function freeControllerPorts(): Promise<ControllerPorts> {
  return { http: await freePort(), https: await freePort(), health: await freePort(), status: await freePort() };
}

/** What differs between the controllers tests start, before their own flags. */
export interface ControllerOptions {
  readonly configDir: string;
  /** Default: the test nginx. `null` leaves the flag out, so the controller looks nginx up on PATH. */
  readonly nginxBinary?: string | null;
}

/**
 * `controller` with silent logs, the config dir, nginx, the four listen addresses and a 50 ms
 * sync delay (300 ms at most), so a change in the API is served within a test's patience.
 */
export function controllerArgs(ports: ControllerPorts, { configDir, nginxBinary = NGINX_BINARY }: ControllerOptions): string[] {
  return [
    'controller',
    '--log-level', 'silent',
    ...(nginxBinary === null ? [] : ['--nginx-binary', nginxBinary]),
    '--config-dir', configDir,
    '--http-listen', `127.0.0.1:${ports.http}`,
    '--https-listen', `127.0.0.1:${ports.https}`,
    '--health-listen', `127.0.0.1:${ports.health}`,
    '--status-listen', `127.0.0.1:${ports.status}`,
    '--sync-delay', '50ms',
    '--sync-max-delay', '300ms',
    // A vitest worker's stdout is a socket, which nginx cannot open as /dev/stdout.
    '--access-log', 'off',
  ];
}

/** Runs the controller on `ports` with `args` after the common ones (see controllerArgs); does not wait. */
export function startController(ports: ControllerPorts, options: ControllerOptions & { args?: readonly string[]; env?: NodeJS.ProcessEnv }): CliRun {
  // Tests keep the config dir in a mkdtemp directory (0700). When the tests run as root, nginx's
  // workers run as `nobody` and must reach the config dir (the endpoint file, the placeholder
  // socket), as they do under /tmp in a deployment: the controller makes the dir itself 0755.
  chmodSync(dirname(options.configDir), 0o755);
  return runCli([...controllerArgs(ports, options), ...(options.args ?? [])], options.env);
}

/** Waits for /readyz to answer 200; fails at once, with its stderr, if the controller exits first. */
export async function waitReady(run: CliRun, ports: ControllerPorts, timeout = 20_000): Promise<void> {
  let exited: number | undefined;
  void run.code.then((code) => (exited = code));
  const deadline = Date.now() + timeout;
  let last = 'no answer';
  for (;;) {
    if (exited !== undefined) throw new Error(`the controller (health port ${ports.health}) exited with ${exited} before it was ready: ${run.stderr()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${ports.health}/readyz`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`the controller (health port ${ports.health}) was not ready within ${timeout} ms: /readyz said ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Writes `objects` as a multi-document YAML file, what --snapshot reads. */
export async function writeSnapshot(file: string, objects: readonly KubeObject[]): Promise<void> {
  await writeFile(file, objects.map((o) => stringify(o)).join('---\n'));
}

// The image under test and the podman calls the image tests make. Containers share the machine's
// network (--network host) and are spoken to on loopback only. Whoever starts a container removes
// it, by the ID podman returned; nothing is ever matched by name.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** runc and the ulimits this machine allows (scripts/containers.conf says why). */
const CONTAINERS_CONF = process.env['CONTAINERS_CONF'] ?? join(ROOT, 'scripts/containers.conf');

const ENABLE_HINT = 'image tests skipped: build the image with `scripts/build-image.sh` (root, podman) and set GATEHOUSE_TEST_IMAGE=gatehouse:ci';
let warned = false;

/** The image named by GATEHOUSE_TEST_IMAGE; undefined (after one warning) when unset, an error under CI. */
export function imageUnderTest(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const image = env['GATEHOUSE_TEST_IMAGE'];
  if (image) return image;
  if (env['CI'] === 'true') throw new Error('image tests need the image under CI: GATEHOUSE_TEST_IMAGE is not set (.ci/run builds it)');
  if (!warned) console.warn(ENABLE_HINT);
  warned = true;
  return undefined;
}

export interface PodmanResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `podman ARGS`; never throws for a non-zero exit (the caller asserts on `code`). */
export function podman(args: readonly string[], timeoutMs = 60_000): Promise<PodmanResult> {
  return new Promise((resolve, reject) => {
    execFile('podman', args, { env: { ...process.env, CONTAINERS_CONF }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** A container started by a test: `podman run --detach --network host`. */
export class Container {
  private constructor(readonly id: string) {}

  /** `podman run --detach --network host OPTIONS IMAGE ARGS`. */
  static async run(image: string, options: readonly string[], args: readonly string[]): Promise<Container> {
    const res = await podman(['run', '--detach', '--network', 'host', ...options, image, ...args]);
    if (res.code !== 0) throw new Error(`podman run failed (${res.code}): ${res.stderr}`);
    return new Container(res.stdout.trim());
  }

  /** What the container wrote to stdout and stderr so far. */
  async logs(): Promise<string> {
    const res = await podman(['logs', this.id]);
    return res.stdout + res.stderr;
  }

  /** Waits for the container to exit by itself; its exit code. */
  async exited(): Promise<number> {
    const res = await podman(['wait', this.id]);
    if (res.code !== 0) throw new Error(`podman wait failed: ${res.stderr}`);
    return Number(res.stdout.trim());
  }

  /** SIGTERM (podman stop), SIGKILL after `graceSeconds`; the exit code (137 if it was killed). */
  async stop(graceSeconds = 15): Promise<number> {
    const res = await podman(['stop', '--time', String(graceSeconds), this.id], (graceSeconds + 30) * 1000);
    if (res.code !== 0) throw new Error(`podman stop failed: ${res.stderr}`);
    const state = await podman(['inspect', '--format', '{{.State.ExitCode}}', this.id]);
    return Number(state.stdout.trim());
  }

  /** Removes the container, running or not. */
  async remove(): Promise<void> {
    await podman(['rm', '--force', '--time', '0', this.id]);
  }

  /** Polls `url` until it answers 200; on timeout the error carries the container's logs. */
  async waitFor200(url: string, timeoutMs = 30_000): Promise<void> {
    try {
      await vi.waitFor(async () => {
        const res = await fetch(url);
        if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      }, { timeout: timeoutMs, interval: 100 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\ncontainer ${this.id.slice(0, 12)} logs:\n${await this.logs()}`);
    }
  }
}

import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretFile } from '../nginx/model.js';
import { checksumOf } from '../nginx/render.js';
import type { ControllerMetrics } from './metrics.js';
import type { ConfigTestResult, NginxRunner } from './nginx-runner.js';

/**
 * - `unchanged`: byte-identical to the running config; nothing done.
 * - `applied`: tested, swapped in, and (if nginx runs) reloaded — and confirmed, if configured.
 * - `rejected`: `nginx -t` refused it; the last good config keeps serving.
 * - `reload-failed`: swapped in but nginx did not confirm loading it in time.
 */
export type ApplyStatus = 'unchanged' | 'applied' | 'rejected' | 'reload-failed';

export interface ApplyResult {
  readonly status: ApplyStatus;
  readonly checksum?: string;
  /** nginx's message for `rejected`, the reason for `reload-failed`. */
  readonly message?: string;
}

export interface ApplierOptions {
  readonly configDir: string;
  readonly runner: NginxRunner;
  readonly metrics?: ControllerMetrics;
  /**
   * Whether nginx now serves the config with this checksum (e.g. GET the status server's
   * `/gatehouse/checksum`). Polled after a reload: a reload is a signal, not a promise.
   */
  readonly confirm?: (checksum: string) => Promise<boolean>;
  readonly confirmTimeoutMs?: number;
}

const CONFIG_FILE = 'nginx.conf';
const CANDIDATE_FILE = 'nginx.conf.candidate';
const CERTS_DIR = 'certs';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * render → (identical? stop) → write candidate → `nginx -t` → atomic rename → reload.
 * Calls are serialized. Certificates are written first (mode 0600, content-hash names, so a
 * running config never sees a file change under it) and pruned only after a success.
 */
export class NginxApplier {
  private running: string | undefined;
  /** The text the last `test()` accepted: applying it next needs no second `nginx -t`. */
  private passed: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ApplierOptions) {}

  /** The text last applied successfully. */
  get current(): string | undefined {
    return this.running;
  }

  apply(text: string, secretFiles: readonly SecretFile[] = []): Promise<ApplyResult> {
    return this.enqueue(() => this.applyNow(text, secretFiles));
  }

  /**
   * `nginx -t` on a candidate without applying it (the quarantine's probes). The running text
   * passes without a run; a text that passes is remembered, so applying it next skips the test.
   */
  test(text: string, secretFiles: readonly SecretFile[] = []): Promise<ConfigTestResult> {
    return this.enqueue(async () => {
      if (text === this.running) return { ok: true, output: '' };
      const result = await this.testCandidate(text, secretFiles);
      if (result.ok) this.passed = text;
      return result;
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Writes the secret files and the candidate file and runs `nginx -t` on it; leaves the candidate on success. */
  private async testCandidate(text: string, secretFiles: readonly SecretFile[]): Promise<ConfigTestResult> {
    await this.writeSecretFiles(secretFiles);
    const candidate = join(this.opts.configDir, CANDIDATE_FILE);
    await writeFile(candidate, text, { mode: 0o644 });
    const test = await this.opts.runner.test(candidate);
    if (!test.ok) await rm(candidate, { force: true });
    return test;
  }

  private async applyNow(text: string, secretFiles: readonly SecretFile[]): Promise<ApplyResult> {
    const checksum = checksumOf(text);
    const base = checksum ? { checksum } : {};
    if (text === this.running) return { status: 'unchanged', ...base };
    const dir = this.opts.configDir;
    const candidate = join(dir, CANDIDATE_FILE);
    if (text === this.passed) {
      // Accepted by test() since the last apply (an apply clears it), and no apply pruned its
      // certificates since. The candidate is rewritten: a later failing test removed it.
      await this.writeSecretFiles(secretFiles);
      await writeFile(candidate, text, { mode: 0o644 });
    } else {
      const test = await this.testCandidate(text, secretFiles);
      if (!test.ok) {
        this.recordFailure();
        return { status: 'rejected', ...base, message: test.output };
      }
    }
    this.passed = undefined;
    // rename(2) is atomic: nginx (or a restart) reads the old file or the new one, never half.
    await rename(candidate, join(dir, CONFIG_FILE));
    if (this.opts.runner.running) {
      const failure = await this.reload(checksum);
      if (failure !== undefined) {
        this.recordFailure();
        return { status: 'reload-failed', ...base, message: failure };
      }
    }
    this.running = text;
    this.opts.metrics?.reloads.inc({ result: 'success' });
    this.opts.metrics?.lastReloadSuccessful.set(1);
    await this.pruneSecretFiles(secretFiles);
    return { status: 'applied', ...base };
  }

  /** Reloads and confirms; returns why it failed, if it did. */
  private async reload(checksum: string | undefined): Promise<string | undefined> {
    try {
      await this.opts.runner.reload();
    } catch (err) {
      return (err as Error).message;
    }
    if (checksum && this.opts.confirm && !(await this.waitForChecksum(checksum))) {
      return 'nginx did not serve the new configuration in time';
    }
    return undefined;
  }

  private recordFailure(): void {
    this.opts.metrics?.reloads.inc({ result: 'failure' });
    this.opts.metrics?.lastReloadSuccessful.set(0);
  }

  private async waitForChecksum(checksum: string): Promise<boolean> {
    const deadline = Date.now() + (this.opts.confirmTimeoutMs ?? 10_000);
    let delay = 10;
    while (Date.now() < deadline) {
      if (await this.opts.confirm!(checksum).catch(() => false)) return true;
      await sleep(delay);
      delay = Math.min(delay * 2, 200);
    }
    return false;
  }

  private async writeSecretFiles(secretFiles: readonly SecretFile[]): Promise<void> {
    if (secretFiles.length === 0) return;
    const certDir = join(this.opts.configDir, CERTS_DIR);
    await mkdir(certDir, { recursive: true, mode: 0o700 });
    for (const secret of secretFiles) {
      const path = join(certDir, secret.file);
      if (await exists(path)) continue;
      const tmp = `${path}.tmp`;
      await writeFile(tmp, secret.content, { mode: 0o600 });
      await chmod(tmp, 0o600); // writeFile's mode is masked by umask
      await rename(tmp, path);
    }
  }

  /** Removes secret files the applied config no longer names. */
  private async pruneSecretFiles(keep: readonly SecretFile[]): Promise<void> {
    const names = new Set(keep.map((c) => c.file));
    const certDir = join(this.opts.configDir, CERTS_DIR);
    const present = await readdir(certDir).catch(() => [] as string[]);
    for (const file of present) if (!names.has(file)) await rm(join(certDir, file), { force: true });
  }
}

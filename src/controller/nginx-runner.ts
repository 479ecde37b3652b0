import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopOrphanedNginx, type OrphanOutcome } from './orphan-nginx.js';

/** Outcome of `nginx -t`; `output` is nginx's own message. */
export interface ConfigTestResult {
  readonly ok: boolean;
  readonly output: string;
}

/** nginx behind one small interface, so apply/reconcile tests can pass a fake. */
export interface NginxRunner {
  /** `nginx -t` on a candidate file. */
  test(configPath: string): Promise<ConfigTestResult>;
  /** Graceful reload of the running nginx (new workers, old ones finish their requests). */
  reload(): Promise<void>;
  /** Starts nginx in the foreground and supervises it; resolves once it has written its pid. */
  start(): Promise<void>;
  /** Graceful quit; no restart afterwards. */
  stop(): Promise<void>;
  readonly running: boolean;
}

export interface ProcessRunnerOptions {
  /** nginx binary (`--nginx-binary`). */
  readonly binary: string;
  /** Prefix directory; nginx.conf and nginx.pid live here (render.ts puts the pid there). */
  readonly configDir: string;
  readonly configPath?: string;
  /** Each line nginx writes (its error log is stderr). */
  readonly onLog?: (line: string) => void;
  /**
   * `inherit` (or a file descriptor): nginx writes there itself (the access log, `access_log
   * /dev/stdout`), raw and without passing through the controller; default `pipe`: its lines go to
   * onLog like stderr's. A `pipe` is a socket, which nginx cannot open as /dev/stdout (ENXIO).
   */
  readonly stdout?: 'pipe' | 'inherit' | number;
  /** nginx died without being asked to; it is restarted after `restartInMs`. */
  readonly onUnexpectedExit?: (info: { code: number | null; signal: string | null; restartInMs: number }) => void;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How long a start may take before it counts as failed. */
  readonly startTimeoutMs?: number;
  /** How long old workers may take to stop accepting after a reload. */
  readonly reloadTimeoutMs?: number;
  /** How long a graceful quit may take before nginx is terminated. */
  readonly stopTimeoutMs?: number;
  /** What start() found of an nginx left running by an earlier controller (orphan-nginx.ts). */
  readonly onOrphan?: (outcome: OrphanOutcome) => void;
}

/** Resets the backoff once nginx has stayed up this long. */
const STABLE_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Children of the nginx master (its workers), or undefined where /proc cannot tell. */
async function workersOf(master: number): Promise<number[] | undefined> {
  try {
    const text = await readFile(`/proc/${master}/task/${master}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * A worker no longer takes new connections once it has exited or retitled itself "worker
 * process is shutting down", which nginx does right before closing its listening sockets
 * (ngx_worker_process_cycle in src/os/unix/ngx_process_cycle.c).
 */
async function isRetired(pid: number): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline === '' || cmdline.includes('shutting down');
  } catch {
    return true;
  }
}

/** Collects a child's stdout+stderr and exit code. */
function run(binary: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // stdout is /dev/null: nginx writes its messages to stderr (-e stderr), and opens an
    // `access_log /dev/stdout` while testing, which a socket (node's 'pipe') would fail (ENXIO).
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: null, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

/**
 * Runs the real nginx as a child: `nginx -p DIR -c DIR/nginx.conf -e stderr -g 'daemon off;'`.
 * nginx gets its own process group, so when the master dies unexpectedly its orphaned workers
 * (which keep the listening sockets) can be killed with it before the restart.
 * Reload sends SIGHUP to the master, which is what `nginx -s reload` does via the pid file.
 */
export class ProcessNginxRunner implements NginxRunner {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private startedAt = 0;
  private readonly configPath: string;
  /** If this process exits without stop(), nginx (in its own group) would outlive it. */
  private readonly killOnExit = (): void => {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  constructor(private readonly opts: ProcessRunnerOptions) {
    this.configPath = opts.configPath ?? join(opts.configDir, 'nginx.conf');
    this.delayMs = opts.backoff?.initialMs ?? 100;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The master's pid while running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async test(configPath: string): Promise<ConfigTestResult> {
    const r = await run(this.opts.binary, ['-t', '-q', '-p', `${this.opts.configDir}/`, '-e', 'stderr', '-c', configPath], 60_000);
    return { ok: r.code === 0, output: r.output };
  }

  /**
   * SIGHUP, then waits until every worker that ran before has stopped accepting: until then a
   * new connection may still be served by the old configuration. A master that rejects the new
   * config keeps its old workers, so this also detects a failed reload (it throws).
   */
  async reload(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error('nginx is not running');
    const before = await workersOf(pid);
    process.kill(pid, 'SIGHUP');
    if (before === undefined) return; // no /proc: nothing to watch
    const deadline = Date.now() + (this.opts.reloadTimeoutMs ?? 15_000);
    let delay = 5;
    while (Date.now() < deadline) {
      const states = await Promise.all(before.map(isRetired));
      if (states.every(Boolean)) return;
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
    throw new Error('nginx kept its old workers after the reload signal (it did not load the new configuration; see its log)');
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.stopping = false;
    try {
      // An nginx orphaned by a controller killed with SIGKILL would hold the ports.
      const orphan = await stopOrphanedNginx({ pidFile: join(this.opts.configDir, 'nginx.pid'), configPath: this.configPath, quitTimeoutMs: this.opts.stopTimeoutMs ?? 10_000 });
      if (orphan.kind !== 'none') this.opts.onOrphan?.(orphan);
      await this.launch();
    } catch (err) {
      // A start the caller asked for fails to the caller; only later deaths are supervised.
      this.stopping = true;
      if (this.restartTimer) clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.killChild();
      throw err;
    }
  }

  private killChild(): void {
    this.child?.kill('SIGKILL');
  }

  private async launch(): Promise<void> {
    const args = ['-p', `${this.opts.configDir}/`, '-e', 'stderr', '-c', this.configPath, '-g', 'daemon off;'];
    const child = spawn(this.opts.binary, args, { stdio: ['ignore', this.opts.stdout ?? 'pipe', 'pipe'], detached: true });
    this.child = child;
    process.once('exit', this.killOnExit);
    this.startedAt = Date.now();
    let exited = false;
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (output.length < 4096) output += `${line}\n`;
        this.opts.onLog?.(line);
      });
    }
    // A spawn failure (ENOENT, EACCES) emits 'error' and never 'exit': count it as an exit, or
    // start() would wait out its whole timeout.
    child.on('error', (err) => {
      output += err.message;
      exited = true;
    });
    child.on('exit', (code, signal) => {
      exited = true;
      this.onExit(child, code, signal);
    });
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 15_000);
    const pidFile = join(this.opts.configDir, 'nginx.pid');
    while (Date.now() < deadline) {
      if (exited) throw new Error(`nginx exited during start: ${output.trim()}`);
      const pid = await readFile(pidFile, 'utf8').catch(() => '');
      if (Number(pid.trim()) === child.pid) return;
      await sleep(20);
    }
    throw new Error(`nginx did not start within the timeout: ${output.trim()}`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child === child) this.child = undefined;
    process.removeListener('exit', this.killOnExit);
    // Orphaned workers hold the ports: clear the whole group (ours) before anything else.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already empty
      }
    }
    if (this.stopping) return;
    if (Date.now() - this.startedAt > STABLE_MS) this.delayMs = this.opts.backoff?.initialMs ?? 100;
    const restartInMs = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.opts.backoff?.maxMs ?? 10_000);
    this.opts.onUnexpectedExit?.({ code, signal, restartInMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      // A failed launch exits the child, and onExit schedules the next attempt.
      this.launch().catch(() => this.killChild());
    }, restartInMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // SIGQUIT = graceful shutdown: workers finish in-flight requests first.
    child.kill('SIGQUIT');
    const timeout = sleep(this.opts.stopTimeoutMs ?? 10_000).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/**
 * The line of `nginx -t` output that says what is wrong, without the timestamp and pid prefix:
 * `[emerg] SSL_CTX_use_certificate(...) failed (SSL: ... ee key too small)`. nginx prints its
 * first fatal error and stops, then `nginx: configuration file ... test failed`.
 */
export function nginxErrorLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /\[(emerg|alert|crit|error)\]/.test(l)) ?? lines[0] ?? 'nginx -t failed';
  // The position (` in /conf/nginx.conf.candidate:87`) goes too: it names a file deleted after the
  // test and moves with every unrelated change, which would re-report the same fault each time.
  return line
    .replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '')
    .replace(/^(?:nginx: )?(\[\w+\]) (?:\d+#\d+: )?/, '$1 ')
    .replace(/ in \S+:\d+$/, '');
}

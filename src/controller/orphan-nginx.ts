import { readFile } from 'node:fs/promises';

export interface OrphanOptions {
  /** The pid file our nginx.conf names (`<config dir>/nginx.pid`). */
  readonly pidFile: string;
  /** Our nginx.conf: a master started with `-c` this path is ours. */
  readonly configPath: string;
  /** How long a graceful quit may take before SIGTERM. Default 10 s. */
  readonly quitTimeoutMs?: number;
  /** How long SIGTERM may take (nginx kills its workers after ~1 s). Default 5 s. */
  readonly termTimeoutMs?: number;
}

/**
 * - `none`: no pid file, or the process it names is gone.
 * - `foreign`: the pid is alive but is not an nginx master on our config (pid reuse): left alone.
 * - `stopped`: our orphaned nginx, stopped by this signal.
 * - `survived`: our orphaned nginx, still alive after SIGQUIT and SIGTERM.
 */
export type OrphanOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'foreign'; readonly pid: number }
  | { readonly kind: 'stopped'; readonly pid: number; readonly signal: 'SIGQUIT' | 'SIGTERM' }
  | { readonly kind: 'survived'; readonly pid: number };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** /proc/PID/cmdline with NULs as spaces ('' when unreadable). */
async function commandLine(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return raw.replace(/\0/g, ' ').trim();
}

/**
 * An nginx master retitles itself `nginx: master process BINARY ARGS…` (ngx_setproctitle), so its
 * arguments stay readable: ours was started with `-c <configPath>` by ProcessNginxRunner.
 */
export function isOurNginxMaster(cmdline: string, configPath: string): boolean {
  return cmdline.startsWith('nginx: master process ') && ` ${cmdline} `.includes(` -c ${configPath} `);
}

/** Gone, or a zombie waiting for its parent (which still answers kill(pid, 0)). */
async function isGone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) {
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await isGone(pid)) return true;
    await sleep(50);
  }
  return isGone(pid);
}

/**
 * A controller killed with SIGKILL leaves its nginx running (nginx has its own process group, and
 * no exit handler runs), holding the ports: the next controller could not bind and exited. Before
 * starting nginx, the pid file in our config dir is read; if it names a live nginx master on our
 * config, that one is stopped — gracefully (SIGQUIT: in-flight requests finish; it closes its
 * listening sockets at once), then SIGTERM — signalling that PID only, never a group or a name.
 * Stopped rather than adopted: its stderr (its error log) went to the dead controller, and only
 * a child of ours can be supervised.
 */
export async function stopOrphanedNginx(opts: OrphanOptions): Promise<OrphanOutcome> {
  const text = await readFile(opts.pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) return { kind: 'none' };
  if (await isGone(pid)) return { kind: 'none' };
  if (!isOurNginxMaster(await commandLine(pid), opts.configPath)) return { kind: 'foreign', pid };
  for (const [signal, timeoutMs] of [
    ['SIGQUIT', opts.quitTimeoutMs ?? 10_000],
    ['SIGTERM', opts.termTimeoutMs ?? 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return { kind: 'stopped', pid, signal };
      return { kind: 'foreign', pid }; // EPERM: not ours to stop after all
    }
    if (await exitsWithin(pid, timeoutMs)) return { kind: 'stopped', pid, signal };
  }
  return { kind: 'survived', pid };
}

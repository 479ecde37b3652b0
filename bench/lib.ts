import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs = 120_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${url}`);
}

/**
 * Starts a Node script as the image runs Gatehouse: cli.js's shebang passes
 * --max-semi-space-size=4 (4 MiB young-generation halves; without it V8 sizes them for the
 * machine's 24 GiB and RSS grows by ~100 MiB under load for no gain in throughput).
 */
export function startNode(script: string, args: string[]): ChildProcess {
  return fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=4'] });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Resident set size of a process, MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks are 100 Hz). */
export async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs a load and adds the server's CPU time per request (µs): the cost that does not depend on the client. */
export async function loadWithCpu(pid: number, url: string, bodies: string[], opts: { seconds: number; connections: number }): Promise<LoadResult & { cpuUsPerRequest: number }> {
  const before = await cpuMs(pid);
  const result = await load(url, bodies, opts);
  const used = (await cpuMs(pid)) - before;
  return { ...result, cpuUsPerRequest: (used * 1000) / Math.max(1, result.rps * opts.seconds) };
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

/**
 * Saturated HTTPS keep-alive load (HTTP/1.1, as the API server's webhook client). Not for a fixed
 * rate: autocannon's overallRate sends each second's budget in a burst (bench/go-paced-client).
 */
export async function load(url: string, bodies: string[], opts: { seconds: number; connections: number }): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

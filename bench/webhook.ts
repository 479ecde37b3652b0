// The webhook as users see it (issue 13): Gatehouse against the bare fastify route and a minimal
// Go net/http webhook, all running at once and loaded in turn (interleaved rounds, so a noisy
// neighbour on the shared machine slows each of them alike), with realistic review bodies.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleValidate } from '../src/admission/handler.js';
import { parseReview } from '../src/admission/review.js';
import { addToSnapshot } from '../src/k8s/file-snapshot.js';
import { SnapshotStore } from '../src/k8s/snapshot.js';
import { createLogger } from '../src/log.js';
import { RULES } from '../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../src/rules/types.js';
import { selfSignedKeyPair } from '../src/tls/self-signed.js';
import { reviewBodies, syntheticCluster } from './generate-snapshot.js';
import { deploymentSettings } from './webhook-memory.js';
import { freePort, load, loadWithCpu, rssMiB, startNode, stop, waitForHttp, type LoadResult } from './lib.js';

const CLI = join(import.meta.dirname, '../src/cli.js');
const BASELINE = join(import.meta.dirname, 'baseline-server.js');
/** bench/go-webhook and bench/go-paced-client, from dist/bench. */
const GO_WEBHOOK_SOURCE = join(import.meta.dirname, '../../bench/go-webhook');
const GO_PACED_CLIENT_SOURCE = join(import.meta.dirname, '../../bench/go-paced-client');

/** Saturated load on each server before the first round. */
export const WARMUP_SECONDS = 10;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export type ServerId = 'fastify' | 'go' | 'gatehouse-100' | 'gatehouse-10000';

export interface ServerResult {
  readonly id: ServerId;
  readonly label: string;
  /** Saturated req/s and server CPU µs per request, one per round. */
  readonly rps: number[];
  readonly cpuUs: number[];
  readonly p50: number[];
  readonly p99: number[];
  /** At a fixed 500 req/s, one per round. */
  readonly fixedP50: number[];
  readonly fixedP99: number[];
  /** Failed requests (socket errors, timeouts) and non-2xx answers over every run. */
  errors: number;
  non2xx: number;
  /** Gatehouse only, MiB: started and synced, before any load; highest; right after the load; idle 10 s later. */
  rssIdleBefore?: number;
  rssPeak?: number;
  rssAfterLoad?: number;
  rssIdleAfter?: number;
}

export interface WebhookBench {
  readonly rounds: number;
  readonly seconds: number;
  readonly bodyBytes: { readonly min: number; readonly max: number };
  readonly servers: ServerResult[];
  /** In-process median of one validate decision, µs, by N. */
  readonly decideUs: Record<number, number>;
  /** The Deployment's NODE_OPTIONS, which Gatehouse ran with. */
  readonly nodeOptions: string;
  /** Why the Go webhook is missing, when it is. */
  readonly goMissing?: string;
}

/** Median time of handleValidate over the bench reviews, in process (no HTTP). */
function decideMedian(n: number, bodies: string[]): number {
  const store = new SnapshotStore();
  addToSnapshot(store, syntheticCluster(n));
  const deps = { cluster: store, synced: () => true, rules: RULES, options: DEFAULT_RULE_OPTIONS, logger: createLogger('silent') };
  const requests = bodies.map((b) => {
    const parsed = parseReview(JSON.parse(b));
    if (!('review' in parsed)) throw new Error('bad bench review');
    return parsed.review.request;
  });
  for (let i = 0; i < 2000; i++) handleValidate(requests[i % requests.length]!, deps);
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t = process.hrtime.bigint();
    handleValidate(requests[i % requests.length]!, deps);
    samples.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return median(samples);
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Running {
  readonly id: ServerId;
  readonly label: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly bodies: string[];
}

/** Builds a Go program of bench/ with the Go toolchain on PATH (Debian's golang-go); a reason when it cannot. */
export function buildGo(source: string, out: string): string | undefined {
  const r = spawnSync('go', ['build', '-o', out, '.'], { cwd: source, encoding: 'utf8', env: { ...process.env, CGO_ENABLED: '0' } });
  if (r.error) return `go not found (${r.error.message}); apt-get install golang-go`;
  return r.status === 0 ? undefined : `go build failed: ${r.stderr.trim()}`;
}

/**
 * Fixed-rate load from bench/go-paced-client (Go's HTTP client, as the API server's, open loop);
 * latencies in ms with microsecond precision. Its header says why not autocannon's overallRate.
 */
export async function pacedLoad(client: string, url: string, bodiesFile: string, opts: { rate: number; seconds: number; connections: number }): Promise<LoadResult> {
  const child = spawn(client, [url, String(opts.rate), String(opts.seconds), String(opts.connections), bodiesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`go-paced-client exited with ${code}`);
  const r = JSON.parse(out) as { due: number; answered: number; failed: number; non2xx: number; p50Ms: number; p99Ms: number };
  return { rps: r.answered / opts.seconds, p50: r.p50Ms, p99: r.p99Ms, errors: r.failed, non2xx: r.non2xx };
}

async function startGatehouse(dir: string, n: number): Promise<Running> {
  const snapshot = join(dir, `snapshot-${n}.json`);
  await writeFile(snapshot, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: syntheticCluster(n) }));
  const [port, health] = [await freePort(), await freePort()];
  // As the Deployment runs it: the image's --max-semi-space-size=4 and the container's env (NODE_OPTIONS).
  const child = fork(CLI, ['webhook', '--self-signed', '--snapshot', snapshot, '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${health}`], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--max-semi-space-size=4'],
    env: { ...process.env, ...(await deploymentSettings()).env },
  });
  await waitForHttp(`http://127.0.0.1:${health}/readyz`, 120_000, child);
  // The background report on existing Ingresses runs once after start: measured after it, as
  // the webhook runs for the rest of its life.
  const deadline = Date.now() + 300_000;
  for (;;) {
    const entries = (await (await fetch(`http://127.0.0.1:${health}/existing`)).json()) as unknown[];
    if (entries.length >= n) break;
    if (Date.now() > deadline) throw new Error(`the report on existing Ingresses did not finish (N=${n})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { id: n === 100 ? 'gatehouse-100' : 'gatehouse-10000', label: `Gatehouse, N = ${n.toLocaleString('en')} Ingresses + Services`, child, url: `https://127.0.0.1:${port}/validate`, bodies: reviewBodies(n) };
}

async function startBaseline(): Promise<Running> {
  const port = await freePort();
  const child = startNode(BASELINE, [String(port)]);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`baseline exited ${code}`)));
  });
  return { id: 'fastify', label: 'bare fastify HTTPS route (parses the body, answers with the uid)', child, url: `https://127.0.0.1:${port}/validate`, bodies: reviewBodies(100) };
}

async function startGo(dir: string, binary: string): Promise<Running> {
  const pair = selfSignedKeyPair(['localhost', '127.0.0.1']);
  await writeFile(join(dir, 'go.crt'), pair.cert);
  await writeFile(join(dir, 'go.key'), pair.key);
  const port = await freePort();
  const child = spawn(binary, [join(dir, 'go.crt'), join(dir, 'go.key'), String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `https://127.0.0.1:${port}/validate`;
  const deadline = Date.now() + 10_000;
  while ((await load(url, reviewBodies(100).slice(0, 1), { seconds: 1, connections: 1 })).rps === 0) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the Go webhook did not start');
  }
  return { id: 'go', label: 'minimal Go net/http webhook (decodes into structs, answers allowed)', child, url, bodies: reviewBodies(100) };
}

/** The server's review bodies as the paced client reads them: a JSON array in a file. */
async function bodiesFile(dir: string, s: Running): Promise<string> {
  const file = join(dir, `bodies-${s.id}.json`);
  await writeFile(file, JSON.stringify(s.bodies));
  return file;
}

function count(result: ServerResult, r: LoadResult): void {
  result.errors += r.errors;
  result.non2xx += r.non2xx;
}

/**
 * Starts every server, waits until each is ready (Gatehouse: its snapshot loaded and the report on
 * existing Ingresses done), then loads them one after another, `rounds` times, in a rotating order.
 */
export async function benchWebhooks(opts: { rounds: number; seconds: number; fixedRate: number }): Promise<WebhookBench> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const running: Running[] = [];
  try {
    const goBinary = join(dir, 'go-webhook');
    const pacedClient = join(dir, 'go-paced-client');
    const goMissing = buildGo(GO_WEBHOOK_SOURCE, goBinary) ?? buildGo(GO_PACED_CLIENT_SOURCE, pacedClient);
    running.push(await startBaseline());
    if (!goMissing) running.push(await startGo(dir, goBinary));
    running.push(await startGatehouse(dir, 100), await startGatehouse(dir, 10_000));
    const results = new Map<ServerId, ServerResult>(
      running.map((s) => [s.id, { id: s.id, label: s.label, rps: [], cpuUs: [], p50: [], p99: [], fixedP50: [], fixedP99: [], errors: 0, non2xx: 0 }]),
    );
    const isGatehouse = (s: Running) => s.id.startsWith('gatehouse');
    for (const s of running) if (isGatehouse(s)) results.get(s.id)!.rssIdleBefore = await rssMiB(s.child.pid!);
    const bodyFiles = new Map<ServerId, string>();
    for (const s of running) bodyFiles.set(s.id, await bodiesFile(dir, s));
    // Warm-up (JIT, caches), long enough for V8 to finish optimizing: after 2 s TurboFan was still
    // compiling Gatehouse's code on its worker threads, ~20 µs of CPU per request in the first
    // round that a webhook running for hours does not pay (bench/webhook-profile.ts, PROFILER=perf).
    for (const s of running) count(results.get(s.id)!, await load(s.url, s.bodies, { seconds: WARMUP_SECONDS, connections: 10 }));
    for (let round = 0; round < opts.rounds; round++) {
      // Rotate who goes first: the load generator and the machine drift during a run.
      const order = running.map((_, i) => running[(i + round) % running.length]!);
      for (const s of order) {
        const r = await loadWithCpu(s.child.pid!, s.url, s.bodies, { seconds: opts.seconds, connections: 10 });
        const res = results.get(s.id)!;
        res.rps.push(r.rps);
        res.cpuUs.push(r.cpuUsPerRequest);
        res.p50.push(r.p50);
        res.p99.push(r.p99);
        count(res, r);
      }
      for (const s of goMissing ? [] : order) {
        const r = await pacedLoad(pacedClient, s.url, bodyFiles.get(s.id)!, { rate: opts.fixedRate, seconds: opts.seconds, connections: 10 });
        const res = results.get(s.id)!;
        res.fixedP50.push(r.p50);
        res.fixedP99.push(r.p99);
        count(res, r);
      }
    }
    for (const s of running) {
      if (!isGatehouse(s)) continue;
      const res = results.get(s.id)!;
      // One more saturated run on its own, so "after load" is right after Gatehouse's own load.
      count(res, await load(s.url, s.bodies, { seconds: opts.seconds, connections: 10 }));
      res.rssAfterLoad = await rssMiB(s.child.pid!);
      res.rssPeak = await peakRssMiB(s.child.pid!);
    }
    await new Promise((r) => setTimeout(r, 10_000));
    for (const s of running) if (isGatehouse(s)) results.get(s.id)!.rssIdleAfter = await rssMiB(s.child.pid!);
    const all = reviewBodies(10_000);
    return {
      rounds: opts.rounds,
      seconds: opts.seconds,
      bodyBytes: { min: Math.min(...all.map((b) => b.length)), max: Math.max(...all.map((b) => b.length)) },
      servers: [...results.values()],
      nodeOptions: (await deploymentSettings()).env['NODE_OPTIONS'] ?? '',
      decideUs: { 100: decideMedian(100, reviewBodies(100)), 10_000: decideMedian(10_000, all) },
      ...(goMissing ? { goMissing } : {}),
    };
  } finally {
    for (const s of running) {
      if (s.id === 'go') {
        s.child.kill('SIGTERM');
        await new Promise((r) => (s.child.exitCode !== null || s.child.signalCode !== null ? r(undefined) : s.child.once('exit', r)));
      } else await stop(s.child);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

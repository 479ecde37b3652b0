// Profiles Gatehouse (N = 10,000) and the bare fastify route side by side under the same load
// (issue 13): `node dist/bench/webhook-profile.js OUT_DIR [seconds] [N]` writes one .cpuprofile each
// (node --cpu-prof) and prints the self time of each, by function and by package. With
// PROFILER=perf it records on-CPU samples with Linux perf instead (perf-profile.ts says why that
// is the one to trust for CPU per request on a loaded 2-core machine) and prints CPU µs per
// request by frame, inclusive and self.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { reviewBodies, syntheticCluster } from './generate-snapshot.js';
import { freePort, loadWithCpu, stop, waitForHttp } from './lib.js';
import { foldStacks, perfRecord, perfStacks } from './perf-profile.js';
import { deploymentSettings } from './webhook-memory.js';

const CLI = join(import.meta.dirname, '../src/cli.js');
const BASELINE = join(import.meta.dirname, 'baseline-server.js');

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: number[];
}
interface CpuProfile {
  readonly startTime: number;
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

function where(url: string): string {
  if (url === '') return '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*\/dist\//, '');
}

/**
 * Self time by function and by package/file over the samples taken between `from` and `to` (µs on
 * the monotonic clock, as process.hrtime), as shares of the busy time and µs per request.
 */
export function summarize(profile: CpuProfile, window: { from: number; to: number; requests: number }, top = 45): string {
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < window.from || at > window.to) continue;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    if (node.callFrame.functionName === '(idle)' || t === 0) continue;
    busy += t;
    const file = where(node.callFrame.url);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    byFile.set(file, (byFile.get(file) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} % ${(t / window.requests).toFixed(1).padStart(6)} µs/req`;
  const lines = [`busy ${(busy / 1e6).toFixed(2)} s over ${window.requests} requests: ${(busy / window.requests).toFixed(1)} µs/request`, '-- by file/package'];
  for (const [k, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`${pct(t)}  ${k}`);
  lines.push('-- by function');
  for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(t)}  ${k}`);
  return lines.join('\n');
}

const PERF = process.env['PROFILER'] === 'perf';

async function profiled(dir: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  // --perf-prof writes the JIT code map into the working directory.
  const profiler = PERF ? ['--perf-prof'] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  return fork(script, args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--max-semi-space-size=4', ...profiler, '--import', `data:text/javascript,process.on('SIGTERM',()=>process.exit(0))`],
    env,
    cwd: dir,
  });
}

async function main(): Promise<void> {
  // Absolute: each server runs in its own directory (--perf-prof writes there).
  const out = resolve(process.argv[2] ?? '/tmp/gatehouse-profile');
  const seconds = Number(process.argv[3] ?? 10);
  const n = Number(process.argv[4] ?? 10_000);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const snapshot = join(out, 'snapshot.json');
  await writeFile(snapshot, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: syntheticCluster(n) }));
  const bodies = reviewBodies(n);
  const results: string[] = [];
  const windows = new Map<string, { from: number; to: number; requests: number }>();

  const basePort = await freePort();
  const base = await profiled(join(out, 'fastify'), BASELINE, [String(basePort)], process.env);
  await new Promise((r) => base.once('message', r));
  const [port, health] = [await freePort(), await freePort()];
  const gh = await profiled(join(out, 'gatehouse'), CLI, ['webhook', '--self-signed', '--snapshot', snapshot, '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${health}`], {
    ...process.env,
    ...(await deploymentSettings()).env,
  });
  await waitForHttp(`http://127.0.0.1:${health}/readyz`, 120_000, gh);
  for (;;) {
    const entries = (await (await fetch(`http://127.0.0.1:${health}/existing`)).json()) as unknown[];
    if (entries.length >= n) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const [name, child, url] of [['fastify', base, `https://127.0.0.1:${basePort}/validate`], ['gatehouse', gh, `https://127.0.0.1:${port}/validate`]] as const) {
    // Warm-up long enough for V8 to finish optimizing: after 2 s, TurboFan was still compiling on
    // its worker threads (~20 µs per request in the window, measured with PROFILER=perf); the
    // rest of the webhook's life has none of that.
    await loadWithCpu(child.pid!, url, bodies, { seconds: Number(process.env['WARMUP_SECONDS'] ?? 15), connections: 10 });
    const from = Number(process.hrtime.bigint() / 1000n);
    const recorded = PERF ? perfRecord(child.pid!, join(out, name), seconds) : undefined;
    const r = await loadWithCpu(child.pid!, url, bodies, { seconds, connections: 10 });
    await recorded;
    windows.set(name, { from, to: Number(process.hrtime.bigint() / 1000n), requests: Math.round(r.rps * seconds) });
    results.push(`${name}: ${Math.round(r.rps)} req/s, ${Math.round(r.cpuUsPerRequest)} µs CPU/request, errors ${r.errors}, non2xx ${r.non2xx}`);
  }
  await stop(base);
  await stop(gh);
  for (const name of ['fastify', 'gatehouse']) {
    if (PERF) {
      console.log(`==== ${name}\n${foldStacks(perfStacks(join(out, name)), windows.get(name)!.requests)}`);
      continue;
    }
    const files = (await readdir(join(out, name))).filter((f) => f.endsWith('.cpuprofile'));
    const profile = JSON.parse(await readFile(join(out, name, files[0]!), 'utf8')) as CpuProfile;
    console.log(`==== ${name}\n${summarize(profile, windows.get(name)!)}`);
  }
  console.log(results.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

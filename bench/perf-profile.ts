// On-CPU profiles from Linux perf (issue 13): `perf record -e cpu-clock -g` samples only while a
// thread runs, in every thread of the process (GC and compiler threads included), where V8's
// --cpu-prof samples the JavaScript thread on a timer and charges the time it spends descheduled
// (the load generator woken by an answer takes the core) to whatever it was running: on a
// 2-core machine that made JSON.parse look twice as slow in Gatehouse as in the bare route, while
// perf counts the same ~20 µs in both. Node's --perf-prof writes the JIT code map that
// `perf inject --jit` resolves JavaScript frames with.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs `perf record` on `pid` for `seconds`; resolves when it has written `dir/perf.data`. */
export async function perfRecord(pid: number, dir: string, seconds: number): Promise<void> {
  const perf = spawn('perf', ['record', '-k', 'mono', '-e', 'cpu-clock', '-F', '4999', '-g', '-p', String(pid), '-o', join(dir, 'perf.data'), '--', 'sleep', String(seconds)], {
    stdio: 'ignore',
  });
  await new Promise((resolve, reject) => perf.once('exit', resolve).once('error', reject));
}

/** `perf inject --jit` then `perf script`: the samples' stacks as text. */
export function perfStacks(dir: string): string {
  const injected = join(dir, 'perf.jit.data');
  const inject = spawnSync('perf', ['inject', '--jit', '-i', join(dir, 'perf.data'), '-o', injected], { encoding: 'utf8' });
  if (inject.status !== 0) throw new Error(`perf inject: ${inject.stderr}`);
  const script = spawnSync('perf', ['script', '-i', injected], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (script.status !== 0) throw new Error(`perf script: ${script.stderr}`);
  return script.stdout;
}

/** A frame's name without its tier mark (`JS:*`, `JS:+`, `JS:^`, `JS:~`), code offset and paths up to the package or dist/. */
function frameName(symbol: string): string {
  return symbol
    .replace(/^JS:[*+^~]'?/, 'JS:')
    .replace(/\+0x[0-9a-f]+$/, '')
    .replace(/file:\/\/\/\S*?\/dist\//, '')
    .replace(/\/\S*?\/node_modules\//, '')
    .trim();
}

/**
 * CPU µs per request by frame: inclusive (a frame counted once per sample whatever the recursion)
 * and self, from `perf script` text, with threads as `THREAD name` frames.
 */
export function foldStacks(text: string, requests: number, top = 60): string {
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let samples = 0;
  let frames: string[] = [];
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const flush = () => {
    if (frames.length === 0) return;
    samples++;
    add(self, frames[1] ?? frames[0]!);
    for (const f of new Set(frames)) add(inclusive, f);
    frames = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') flush();
    else if (!/^\s/.test(line)) {
      flush();
      frames.push(`THREAD ${line.trim().split(/\s+/)[0]}`);
    } else frames.push(frameName(line.trim().replace(/^[0-9a-f]+\s+/, '').replace(/ \([^)]*\)$/, '')));
  }
  flush();
  // 4999 Hz: one sample is ~200 µs of CPU.
  const us = (n: number) => ((n * 1e6) / 4999 / requests).toFixed(1).padStart(7);
  const lines = [`${us(samples)} µs CPU/request in ${samples} samples (all threads)`, '-- inclusive (JavaScript frames, threads, GC)'];
  const interesting = (k: string) => k.startsWith('JS:') || k.startsWith('THREAD') || /ParseJson$|JsonStringify$|TLSWrap::DoWrite$|CollectGarbage$|tcp_sendmsg$/.test(k);
  for (const [k, n] of [...inclusive].filter(([k]) => interesting(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${us(n)}  ${k}`);
  lines.push('-- self');
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`${us(n)}  ${k}`);
  return lines.join('\n');
}

// `certgen create --out-dir` end to end (fresh CA + serving certificate, two RSA-2048 keys, files
// written), as `npm run bench` reports it. Issue 3's target: under 1 s on the bench machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { runCertgenCreate } from '../src/certgen/create.js';
import { CREATE_DEFAULTS } from '../src/certgen/options.js';

export interface CertgenBench {
  readonly medianMs: number;
  readonly runs: number;
}

const HOSTS = ['gatehouse-webhook', 'gatehouse-webhook.gatehouse', 'gatehouse-webhook.gatehouse.svc'];

/** Median wall time of `runs` fresh issues, each into a new temporary directory (after one warm-up). */
export async function benchCertgen(runs = 11): Promise<CertgenBench> {
  const logger = pino({ level: 'silent' });
  const root = await mkdtemp(join(tmpdir(), 'gh-bench-certgen-'));
  const times: number[] = [];
  try {
    for (let i = -1; i < runs; i++) {
      const outDir = join(root, `run-${i + 1}`);
      const start = performance.now();
      const result = await runCertgenCreate({ ...CREATE_DEFAULTS, hosts: HOSTS, outDir }, { logger });
      const elapsed = performance.now() - start;
      if (!result.changed) throw new Error(`certgen bench: expected a fresh issue in ${outDir}`);
      if (i >= 0) times.push(elapsed); // i = -1 warms up module loading and the JIT
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs: Math.round(medianMs * 10) / 10, runs };
}

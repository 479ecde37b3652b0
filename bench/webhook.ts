import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleValidate } from '../src/admission/handler.js';
import { parseReview } from '../src/admission/review.js';
import { addToSnapshot } from '../src/k8s/file-snapshot.js';
import { SnapshotStore } from '../src/k8s/snapshot.js';
import { createLogger } from '../src/log.js';
import { RULES } from '../src/rules/index.js';
import { DEFAULT_RULE_OPTIONS } from '../src/rules/types.js';
import { reviewBodies, syntheticCluster } from './generate-snapshot.js';
import { freePort, load, loadWithCpu, rssMiB, startNode, stop, waitForHttp, type LoadResult } from './lib.js';

const CLI = join(import.meta.dirname, '../src/cli.js');
const BASELINE = join(import.meta.dirname, 'baseline-server.js');

export interface WebhookScenario {
  readonly n: number;
  readonly saturated: LoadResult & { cpuUsPerRequest: number };
  readonly fixedRate: LoadResult;
  readonly rssMiB: number;
  /** In-process median time of one validate decision, microseconds. */
  readonly decideMedianUs: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
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

export async function benchWebhook(n: number, seconds: number): Promise<WebhookScenario> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const snapshot = join(dir, 'snapshot.json');
  await writeFile(snapshot, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: syntheticCluster(n) }));
  const bodies = reviewBodies(n);
  const [port, health] = [await freePort(), await freePort()];
  const child = startNode(CLI, ['webhook', '--self-signed', '--snapshot', snapshot, '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${health}`]);
  try {
    await waitForHttp(`http://127.0.0.1:${health}/readyz`, 120_000, child);
    const url = `https://127.0.0.1:${port}/validate`;
    await load(url, bodies, { seconds: 2, connections: 10 }); // warm-up (JIT, caches)
    const saturated = await loadWithCpu(child.pid!, url, bodies, { seconds, connections: 10 });
    const fixedRate = await load(url, bodies, { seconds, connections: 10, rate: 500 });
    const rss = await rssMiB(child.pid!);
    return { n, saturated, fixedRate, rssMiB: rss, decideMedianUs: decideMedian(n, bodies) };
  } finally {
    await stop(child);
  }
}

export async function benchBaseline(seconds: number): Promise<LoadResult & { cpuUsPerRequest: number }> {
  const port = await freePort();
  const child = startNode(BASELINE, [String(port)]);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`baseline exited ${code}`)));
    });
    const bodies = reviewBodies(100);
    const url = `https://127.0.0.1:${port}/validate`;
    await load(url, bodies, { seconds: 2, connections: 10 });
    return await loadWithCpu(child.pid!, url, bodies, { seconds, connections: 10 });
  } finally {
    await stop(child);
  }
}

// The ingress-nginx way of admitting an Ingress, measured for scale: render the whole nginx.conf
// with the new Ingress added and run `nginx -t` on it, once per admission. ingress-nginx's
// validating webhook does exactly this (CheckIngress → generateTemplate → testTemplate).
// https://github.com/kubernetes/ingress-nginx/blob/controller-v1.11.0/internal/ingress/controller/controller.go#L240
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFallbackCertificate } from '../src/controller/fallback-cert.js';
import { renderSnapshot } from '../src/controller/render-snapshot.js';
import { addToSnapshot } from '../src/k8s/file-snapshot.js';
import { SnapshotStore } from '../src/k8s/snapshot.js';
import type { Ingress } from '../src/k8s/types.js';
import { DEFAULT_RULE_OPTIONS } from '../src/rules/types.js';
import { reviewBodies, syntheticCluster } from './generate-snapshot.js';

const NGINX = process.env['GATEHOUSE_NGINX'] ?? '/usr/sbin/nginx';

export interface RenderTestResult {
  readonly n: number;
  /** Each admission: render + write + `nginx -t`, ms. */
  readonly admissionsMs: readonly number[];
  readonly medianMs: number;
  readonly nginxTestOk: boolean;
}

/** `runs` admissions of a valid new Ingress against N Ingresses + Services + EndpointSlices, the ingress-nginx way. */
export async function benchIngressNginxMethod(n: number, runs: number): Promise<RenderTestResult> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-bench-render-test-'));
  try {
    await ensureFallbackCertificate(dir);
    const store = new SnapshotStore();
    addToSnapshot(store, syntheticCluster(n, { endpointSlices: true }));
    const config = {
      configDir: dir,
      httpListen: { host: '127.0.0.1', port: 18080 },
      httpsListen: { host: '127.0.0.1', port: 18443 },
      rules: DEFAULT_RULE_OPTIONS,
      snapshotPaths: [],
    };
    const valid = reviewBodies(n).filter((_, k) => k % 2 === 0);
    const times: number[] = [];
    let ok = true;
    for (let i = 0; i < runs; i++) {
      const review = JSON.parse(valid[i % valid.length]!) as { request: { object: Ingress } };
      const t = performance.now();
      store.upsert('Ingress', review.request.object);
      const text = renderSnapshot(store, config).text;
      const file = join(dir, 'nginx.conf');
      await writeFile(file, text);
      const r = spawnSync(NGINX, ['-t', '-q', '-p', `${dir}/`, '-e', 'stderr', '-c', file], { encoding: 'utf8' });
      times.push(performance.now() - t);
      store.remove('Ingress', review.request.object);
      if (r.status !== 0) {
        ok = false;
        console.error(r.stderr);
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { n, admissionsMs: times, medianMs: sorted[Math.floor(sorted.length / 2)]!, nginxTestOk: ok };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Issue 12: what the request logs cost nginx. One proxied request (Gatehouse's nginx → a loopback
// nginx answering 200) at saturation, the same nginx with logging off, with the traffic log
// (metrics), and with the traffic log plus the JSON access log; interleaved rounds, medians.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { NginxApplier } from '../src/controller/apply.js';
import { ensureFallbackCertificate } from '../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../src/k8s/ownership.js';
import { buildModel } from '../src/nginx/build-model.js';
import { renderNginxConf, type RenderOptions } from '../src/nginx/render.js';
import { ingress, service, shopCluster } from '../test/fixtures/builders.js';
import { endpointSlice } from '../test/fixtures/endpoint-slices.js';
import { readFile } from 'node:fs/promises';
import { cpuMs, freePort, stop } from './lib.js';

const NGINX = process.env['GATEHOUSE_NGINX'] ?? '/usr/sbin/nginx';

export interface TrafficLogBench {
  readonly rounds: number;
  readonly seconds: number;
  /** req/s per round, by variant. */
  readonly rps: Record<string, number[]>;
  readonly p99: Record<string, number[]>;
  /** CPU µs per request of Gatehouse's nginx worker, and of the receiver, per round, by variant. */
  readonly nginxUs: Record<string, number[]>;
  readonly receiverUs: Record<string, number[]>;
  readonly accepted: number;
  readonly sent: number;
  readonly dropped: number;
  /** Connection errors and timeouts; non-2xx answers. */
  readonly errors: number;
  readonly non2xx: number;
}

export const VARIANTS = ['logging off', 'traffic log (metrics)', 'traffic log + JSON access log'] as const;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function startBackendNginx(dir: string, port: number): Promise<ProcessNginxRunner> {
  await writeFile(
    join(dir, 'nginx.conf'),
    `worker_processes 1; pid "${dir}/nginx.pid"; error_log stderr warn; events { worker_connections 1024; }
http { access_log off; client_body_temp_path "${dir}/b"; proxy_temp_path "${dir}/p"; fastcgi_temp_path "${dir}/f"; uwsgi_temp_path "${dir}/u"; scgi_temp_path "${dir}/s";
  server { listen 127.0.0.9:${port}; keepalive_requests 100000; location / { return 200 "ok"; } } }\n`,
  );
  const runner = new ProcessNginxRunner({ binary: NGINX, configDir: dir });
  await runner.start();
  return runner;
}

/** CPU ms of an nginx master's workers (its children now). */
async function workersCpuMs(master: number | undefined): Promise<number> {
  if (master === undefined) return 0;
  const children = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8').catch(() => '')).split(/\s+/).filter(Boolean);
  let sum = 0;
  for (const pid of children) sum += await cpuMs(Number(pid)).catch(() => 0);
  return sum;
}

function startReceiver(): Promise<{ child: ChildProcess; address: string }> {
  const child = fork(join(import.meta.dirname, 'traffic-receiver-child.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=4'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, address: (m as { address: string }).address }));
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
}

function receiverCounts(child: ChildProcess): Promise<{ accepted: number; dropped: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { accepted: number; dropped: number }));
    child.send('counts');
  });
}

export async function benchTrafficLog(rounds: number, seconds: number): Promise<TrafficLogBench> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-bench-traffic-'));
  const backendDir = await mkdtemp(join(tmpdir(), 'gh-bench-backend-'));
  const backendPort = await freePort();
  const backend = await startBackendNginx(backendDir, backendPort);
  const receiver = await startReceiver();
  await ensureFallbackCertificate(dir);
  const [http, https, status] = [await freePort(), await freePort(), await freePort()];
  const runner = new ProcessNginxRunner({ binary: NGINX, configDir: dir });
  const applier = new NginxApplier({
    configDir: dir,
    runner,
    confirm: async (checksum) => (await (await fetch(`http://127.0.0.1:${status}/gatehouse/checksum`)).text()) === checksum,
  });
  const cluster = shopCluster(
    service('shop', 'web'),
    endpointSlice('shop', 'web', ['127.0.0.9'], backendPort),
    ingress({ name: 'web', host: 'web.test', paths: [{ path: '/api', service: 'web' }] }),
  );
  const { model } = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP });
  const base: RenderOptions = { configDir: dir, httpListen: `127.0.0.1:${http}`, httpsListen: `127.0.0.1:${https}`, statusListen: `127.0.0.1:${status}`, workerProcesses: 1 };
  const options: Record<(typeof VARIANTS)[number], RenderOptions> = {
    'logging off': base,
    'traffic log (metrics)': { ...base, trafficLog: receiver.address },
    'traffic log + JSON access log': { ...base, trafficLog: receiver.address, accessLog: join(dir, 'access.log') },
  };
  const rps: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const p99: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const nginxUs: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const receiverUs: Record<string, number[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  let sent = 0;
  let errors = 0;
  let non2xx = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      for (const variant of order) {
        const result = await applier.apply(renderNginxConf(model, options[variant]), model.secretFiles);
        if (result.status !== 'applied') throw new Error(`nginx refused the ${variant} configuration`);
        if (!runner.running) await runner.start();
        await writeFile(join(dir, 'access.log'), '');
        const url = `http://127.0.0.1:${http}/api/x`;
        const warm = await autocannon({ url, connections: 10, duration: 1, headers: { host: 'web.test' } });
        const [nginxBefore, receiverBefore] = [await workersCpuMs(runner.pid), await cpuMs(receiver.child.pid!)];
        const r = await autocannon({ url, connections: 10, duration: seconds, headers: { host: 'web.test' } });
        const [nginxAfter, receiverAfter] = [await workersCpuMs(runner.pid), await cpuMs(receiver.child.pid!)];
        nginxUs[variant]!.push(((nginxAfter - nginxBefore) * 1000) / Math.max(1, r.requests.total));
        receiverUs[variant]!.push(((receiverAfter - receiverBefore) * 1000) / Math.max(1, r.requests.total));
        rps[variant]!.push(r.requests.average);
        p99[variant]!.push(r.latency.p99);
        errors += r.errors + r.timeouts;
        non2xx += r.non2xx;
        if (variant !== 'logging off') sent += warm.requests.total + r.requests.total;
      }
    }
    const counts = await receiverCounts(receiver.child);
    return { rounds, seconds, rps, p99, nginxUs, receiverUs, accepted: counts.accepted, sent, dropped: counts.dropped, errors, non2xx };
  } finally {
    await runner.stop();
    await backend.stop();
    await stop(receiver.child);
    await rm(dir, { recursive: true, force: true });
    await rm(backendDir, { recursive: true, force: true });
  }
}

export function trafficLogSection(b: TrafficLogBench): string {
  const off = median(b.rps['logging off']!);
  const rows = VARIANTS.map((v) => {
    const m = median(b.rps[v]!);
    return `| ${v} | ${m.toFixed(0)} (${b.rps[v]!.map((x) => x.toFixed(0)).join(', ')}) | ${((m / off) * 100).toFixed(1)} % | ${median(b.p99[v]!)} | ${median(b.nginxUs[v]!).toFixed(1)} | ${median(b.receiverUs[v]!).toFixed(1)} |`;
  }).join('\n');
  return `## Request logs and traffic metrics (issue 12)

One proxied request at saturation: autocannon, 10 keep-alive connections, \`GET /api/x\` to Gatehouse's
nginx (one worker), proxied to a second loopback nginx answering 200. Three configurations of the
same nginx, reloaded between runs, ${b.rounds} interleaved rounds (the order rotates) of ${b.seconds} s after a 1 s
warm-up; medians (each round's req/s in brackets). The traffic log goes over loopback UDP to the
controller's receiver (bench/traffic-receiver-child.ts, a process of its own, as in the controller);
the JSON access log goes to a file. Load generator, both nginx and the receiver share 2 cores, so
req/s mixes nginx's own cost with the CPU the receiver takes from it: the CPU columns (from
/proc, over the measured seconds, per request answered) separate the two. CPU time is counted in
10 ms ticks.

| configuration | req/s | of logging off | p99 ms | nginx worker CPU µs/request | receiver CPU µs/request |
|---|---|---|---|---|---|
${rows}

The receiver counted ${b.accepted} requests with the traffic log on; autocannon saw ${b.sent} answered (warm-ups
included; requests in flight when a run stops are answered and logged but not counted by autocannon).
${b.dropped === 0 ? 'The kernel dropped no datagram at the receiver\'s socket.' : `The kernel dropped ${b.dropped} datagrams at the receiver's socket (${((b.dropped / Math.max(1, b.sent)) * 100).toFixed(2)} %): at saturation on 2 shared cores the receiver falls behind at times, and nginx does not slow down for it.`}
Connection errors and timeouts: ${b.errors} (requests cut when a run stops); non-2xx answers: ${b.non2xx}.
`;
}

// `npm run bench`: measures, then writes docs/benchmarks.md. Not a test: numbers on a shared,
// noisy 2-core machine are reported (medians, ratios from one run), never asserted.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchCertgen } from './certgen.js';
import { benchEndpointChurn, endpointChurnSection } from './endpoint-churn.js';
import { benchControllerRss, benchLiveController, benchRender } from './controller.js';
import { benchHostileRegex, hostileRegexSection } from './hostile-regex.js';
import { benchWebhookMemory, webhookMemorySection } from './webhook-memory.js';
import { benchIngressNginxMethod, type RenderTestResult } from './ingress-nginx-method.js';
import { benchTrafficLog, trafficLogSection } from './traffic-log.js';
import { benchWebhooks, median, WARMUP_SECONDS, type ServerResult, type WebhookBench } from './webhook.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const OUT = join(import.meta.dirname, '../../docs/benchmarks.md');

function verdict(ok: boolean): string {
  return ok ? 'met' : '**missed**';
}

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
/** `BENCH_ONLY=webhook,certgen,controller,endpoint-churn,hostile-regex,webhook-memory,traffic-log`: run only these parts (the other sections are kept). */
const ONLY = process.env['BENCH_ONLY']?.split(',');
const runs = (part: string) => !ONLY || ONLY.includes(part);

function fmt(x: number | undefined, digits = 0): string {
  return x === undefined ? '' : x.toFixed(digits);
}

/** How one admission of `ms` compares with the API server's default webhook timeout (timeoutSeconds: 10). */
function timeoutShare(ms: number): string {
  return ms >= 10_000 ? 'past' : `${Math.round(ms / 100)} % of`;
}

function webhookSection(bench: WebhookBench, renderTest: readonly RenderTestResult[]): string {
  const by = new Map(bench.servers.map((s) => [s.id, s]));
  const fastify = by.get('fastify')!;
  const go = by.get('go');
  const large = by.get('gatehouse-10000')!;
  const small = by.get('gatehouse-100')!;
  const rps = (s: ServerResult) => median(s.rps);
  const cpu = (s: ServerResult) => median(s.cpuUs);
  const ratio = (s: ServerResult, base: ServerResult | undefined) => (base ? `${(rps(s) / rps(base)).toFixed(2)}` : '–');
  const cpuRatio = (s: ServerResult, base: ServerResult | undefined) => (base ? `${(cpu(base) / cpu(s)).toFixed(2)}` : '–');
  const failed = bench.servers.reduce((sum, s) => sum + s.errors, 0);
  const paced = large.fixedP50.length > 0;
  /** A fixed-rate latency median, ms, or '–' when the paced client could not be built. */
  const fixed = (values: readonly number[]) => (values.length > 0 ? median(values).toFixed(2) : '–');
  const gatehouseMs = median(large.fixedP50);
  const nginxWay = renderTest.find((r) => r.n === 10_000);
  const rows = bench.servers
    .map(
      (s) =>
        `| ${s.label} | ${rps(s).toFixed(0)} (${s.rps.map((x) => x.toFixed(0)).join(', ')}) | ${ratio(s, fastify)} | ${ratio(s, go)} | ${cpu(s).toFixed(0)} | ${cpuRatio(s, fastify)} | ${cpuRatio(s, go)} | ${median(s.p50)} / ${median(s.p99)} | ${fixed(s.fixedP50)} / ${fixed(s.fixedP99)} | ${s.errors} | ${s.non2xx} |`,
    )
    .join('\n');
  const rss = [small, large]
    .map((s) => `| ${s.label} | ${fmt(s.rssIdleBefore)} | ${fmt(s.rssPeak)} | ${fmt(s.rssAfterLoad)} | ${fmt(s.rssIdleAfter)} |`)
    .join('\n');
  const decideRatio = bench.decideUs[10_000]! / bench.decideUs[100]!;
  const idleOk = large.rssIdleAfter! <= large.rssAfterLoad! + 1;
  return `## Admission webhook (issues 2 and 13)

Load: autocannon, HTTPS keep-alive (HTTP/1.1, like the API server's webhook client), 10 connections,
cycling 20 AdmissionReviews of ${bench.bodyBytes.min}–${bench.bodyBytes.max} bytes shaped like kube-apiserver's (userInfo, requestKind,
options, and an object with uid, labels, the last-applied-configuration annotation and managedFields;
half valid, half denied for a wrong port and an injected annotation). Every server runs at once and
they are loaded one after another, ${bench.rounds} interleaved rounds (the order rotates) of ${bench.seconds} s saturated, then ${bench.seconds} s at
a fixed 500 req/s, after a ${WARMUP_SECONDS} s saturated warm-up each; medians over the rounds (each round's req/s in brackets).
The fixed rate comes from bench/go-paced-client: Go's HTTP client, as the API server's, 10 keep-alive
HTTP/1.1 connections, one request every 2 ms whether or not the earlier ones were answered (open
loop), latency in microseconds from each send. autocannon's own rate option sends each second's
budget in one burst at full speed and reports whole milliseconds: with it the bare route's p99 at
"500 req/s" was 15–60 ms, with the paced client 0.6–1.8 ms on the same machine.
Server and load generator share the machine's 2 cores. Gatehouse runs as the Deployment runs it
(manifests/webhook-deployment.yaml: \`NODE_OPTIONS=${bench.nodeOptions}\`, the image's \`--max-semi-space-size=4\`). The bare fastify route (bench/baseline-server.ts)
is the same fastify HTTPS stack as Gatehouse: it parses the body and answers a constant denial of
Gatehouse's size with the uid. The Go webhook (bench/go-webhook/, standard library only, built with
Debian's golang-go ${goVersion()}) decodes the whole review, Ingress included, into structs and answers
"allowed". Gatehouse is measured once its snapshot is loaded and its report on existing Ingresses is done.
${bench.goMissing ? `\n**The Go webhook was not measured: ${bench.goMissing}.**\n` : ''}
| server | req/s (saturated) | × fastify | × Go | server CPU µs/request | × fastify by CPU | × Go by CPU | p50 / p99 ms | p50 / p99 ms @500 req/s | failed requests | non-2xx |
|---|---|---|---|---|---|---|---|---|---|---|
${rows}

| Gatehouse RSS, MiB | idle, before any load | peak (VmHWM) | right after load | idle, 10 s after load |
|---|---|---|---|---|
${rss}

| target (N = 10,000) | measured | |
|---|---|---|
| throughput ≥ 0.85× the bare fastify route | ${ratio(large, fastify)}× (by server CPU per request: ${cpuRatio(large, fastify)}×) | ${verdict(rps(large) / rps(fastify) >= 0.85)} |
| throughput ≥ 1.0× the minimal Go webhook | ${ratio(large, go)}× (by server CPU per request: ${cpuRatio(large, go)}×) | ${go ? verdict(rps(large) / rps(go) >= 1) : 'not measured'} |
| RSS after load ≤ 160 MiB | ${fmt(large.rssAfterLoad)} MiB (peak ${fmt(large.rssPeak)}) | ${verdict(large.rssAfterLoad! <= 160)} |
| idle RSS no higher than under load | ${fmt(large.rssIdleAfter)} MiB idle vs ${fmt(large.rssAfterLoad)} MiB after load | ${verdict(idleOk)} |
| 0 failed requests in every run | ${failed} | ${verdict(failed === 0)} |
| p99 ≤ 5 ms at 500 req/s | ${fixed(large.fixedP99)} ms | ${paced ? verdict(median(large.fixedP99) <= 5) : 'not measured'} |
| p50 at N = 10,000 within 1.2× of N = 100 | decide: ${decideRatio.toFixed(2)}× (${bench.decideUs[100]!.toFixed(1)} → ${bench.decideUs[10_000]!.toFixed(1)} µs); HTTP @500 req/s: ${paced ? `${(median(large.fixedP50) / median(small.fixedP50)).toFixed(2)}×` : 'not measured'} | ${verdict(decideRatio <= 1.2)} |

The in-process "decide" median (handleValidate alone, 20,000 calls over the same reviews) is the
comparison across N without the HTTP stack.

### The ingress-nginx way, for scale

ingress-nginx admits an Ingress by rendering the whole nginx.conf with it and running \`nginx -t\` on
the result. The same done with Gatehouse's renderer and Debian's nginx (bench/ingress-nginx-method.ts:
N Ingresses + Services + EndpointSlices, one valid new Ingress added, render + write + \`nginx -t\`):

| N | per admission, that way | Gatehouse (p50 @500 req/s, HTTP included) | |
|---|---|---|---|
${renderTest.map((r) => `| ${r.n.toLocaleString('en')} | ${(r.medianMs / 1000).toFixed(2)} s (${r.admissionsMs.map((t) => (t / 1000).toFixed(2)).join(', ')} s)${r.nginxTestOk ? '' : ' **nginx -t failed**'} | ${paced ? `${gatehouseMs.toFixed(2)} ms` : 'not measured'} (in process: ${bench.decideUs[10_000]!.toFixed(1)} µs) | ${paced ? `${Math.round(r.medianMs / gatehouseMs).toLocaleString('en')}× per HTTP answer` : ''} |`).join('\n')}
${nginxWay ? `\nAt 10,000 Ingresses one admission that way takes ${(nginxWay.medianMs / 1000).toFixed(1)} s — ${timeoutShare(nginxWay.medianMs)} the API server's default webhook timeout (10 s).\n` : ''}`;
}

function goVersion(): string {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? `(${r.stdout.trim().replace(/^go version /, '')})` : '';
}

async function main(): Promise<void> {
  const sections: string[] = [];
  if (runs('webhook')) {
    console.log(`webhook benchmark, ${ROUNDS} rounds of ${SECONDS}s per server`);
    const bench = await benchWebhooks({ rounds: ROUNDS, seconds: SECONDS, fixedRate: 500 });
    console.log(JSON.stringify(bench, null, 1));
    console.log('the ingress-nginx way');
    const renderTest = [await benchIngressNginxMethod(1000, 5), await benchIngressNginxMethod(10_000, Number(process.env['BENCH_NGINX_WAY_RUNS'] ?? 3))];
    console.log(renderTest);
    sections.push(webhookSection(bench, renderTest));
  }
  if (runs('certgen')) {
    console.log('certgen');
    const certgen = await benchCertgen();
    console.log(certgen);
    sections.push(`## certgen (issue 3)

\`certgen create --out-dir\` end to end — a fresh CA and serving certificate (two RSA-2048 keys from
Node's native keygen, signed with node-forge) written to a new directory — median of ${certgen.runs} runs
after a warm-up: **${certgen.medianMs} ms** (target < 1 s: ${verdict(certgen.medianMs < 1000)}).
`);
  }

  if (runs('controller')) {
    console.log('controller render');
    const render1k = benchRender(1000);
    const render10k = benchRender(10_000);
    console.log({ render1k, render10k });
    console.log('controller RSS');
    const rss = await benchControllerRss(10_000);
    console.log('controller live');
    const live = await benchLiveController(1000);
    console.log(live);
    console.log('controller live, --dynamic-endpoints=false');
    const liveNoLua = await benchLiveController(1000, 15, { dynamicEndpoints: false });
    console.log(liveNoLua);
    const p50Of = (times: number[]): number => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    const p50 = p50Of(live.changeToServedMs);
    const p50NoLua = p50Of(liveNoLua.changeToServedMs);
    sections.push(`## Controller (issue 4)

Synthetic clusters: N Ingresses (two paths each), N Services and N EndpointSlices (two endpoints).
Render = snapshot → model → nginx.conf text, JIT-warm, median of 5, two ways: after one Ingress and one
EndpointSlice were replaced (what the controller does on each change; it keeps per-object results,
resolved backends and annotation verdicts, between renders), and of a fresh copy of every object. Change-to-served: a real controller
process (informers on the real kube-apiserver v1.28.7 with etcd, \`test/support/kube-cluster.ts\`; real
Debian nginx), 1,000 Ingresses loaded; an Ingress is switched between two backends by a PUT to the API
and the time from the PUT until nginx answers from the new backend is measured (default --sync-delay
200ms). Burst: 100 Ingress updates sent at once, reloads counted by \`gatehouse_nginx_reloads_total\`.

| measure | measured | target | |
|---|---|---|---|
| render, 1,000 Ingresses, after a change / all objects new | ${render1k.medianMs.toFixed(0)} / ${render1k.firstMedianMs.toFixed(0)} ms (${(render1k.bytes / 1e6).toFixed(1)} MB nginx.conf) | | |
| render, 10,000 Ingresses, after one Ingress and one EndpointSlice changed | ${render10k.medianMs.toFixed(0)} ms (${(render10k.bytes / 1e6).toFixed(1)} MB) | ≤ 300 ms | ${verdict(render10k.medianMs <= 300)} |
| render, 10,000 Ingresses, all objects new (a start or a relist) | ${render10k.firstMedianMs.toFixed(0)} ms | ≤ 300 ms | ${verdict(render10k.firstMedianMs <= 300)} |
| Ingress change in the API → new route answering, p50 of ${live.changeToServedMs.length} (endpoint channel on, the default) | ${p50.toFixed(0)} ms (all: ${live.changeToServedMs.map((t) => t.toFixed(0)).join(', ')}) | ≤ 1 s | ${verdict(p50 <= 1000)} |
| the same with \`--dynamic-endpoints=false\` (no Lua module in nginx) | ${p50NoLua.toFixed(0)} ms (all: ${liveNoLua.changeToServedMs.map((t) => t.toFixed(0)).join(', ')}) | ≤ 1 s | ${verdict(p50NoLua <= 1000)} |
| reloads for a burst of 100 updates (channel on / off) | ${live.burstReloads} / ${liveNoLua.burstReloads} | a handful (tests assert ≤ 3) | ${verdict(live.burstReloads <= 3 && liveNoLua.burstReloads <= 3)} |
| controller RSS, 10,000 Ingresses + Services + EndpointSlices | ${rss.toFixed(0)} MiB | ≤ 300 MiB | ${verdict(rss <= 300)} |
`);
  }

  if (runs('endpoint-churn')) {
    console.log('endpoint churn: 1,000 Ingresses, 10 EndpointSlice changes/s…');
    sections.push(endpointChurnSection(await benchEndpointChurn(1000, Number(process.env['BENCH_CHURN_SECONDS'] ?? 60))));
  }
  if (runs('hostile-regex')) {
    console.log('hostile regex');
    const hostileRegex = await benchHostileRegex();
    console.log(hostileRegex);
    sections.push(hostileRegexSection(hostileRegex));
  }

  if (runs('webhook-memory')) {
    console.log('webhook memory under hostile input');
    const webhookMemory = await benchWebhookMemory();
    console.log(webhookMemory.cases);
    sections.push(webhookMemorySection(webhookMemory));
  }

  if (runs('traffic-log')) {
    console.log('request logs and traffic metrics');
    const trafficLog = await benchTrafficLog(ROUNDS, SECONDS);
    console.log(trafficLog);
    sections.push(trafficLogSection(trafficLog));
  }

  const header = `# Benchmarks

Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}).
Medians and ratios come from one run; the machine is shared and noisy, so compare ratios, not absolutes.
`;
  await writeFile(OUT, `${header}\n${(await mergedSections(sections)).join('\n')}`);
  console.log(`wrote ${OUT}`);
}

await main();

/**
 * The sections of docs/benchmarks.md after this run: each measured section replaces the one of
 * the same heading where it stands, so a partial run (BENCH_ONLY) keeps the file's order; the
 * others (the image size comes from scripts/build-image.sh in CI) are kept as they are; sections
 * new to the file come first.
 */
async function mergedSections(generated: readonly string[]): Promise<string[]> {
  const current = await readFile(OUT, 'utf8').catch(() => '');
  const byHeading = new Map(generated.map((s) => [s.split('\n')[0], s]));
  const kept = current
    .split(/^(?=## )/m)
    .slice(1)
    // One newline at the end, as generated sections have: the join adds the blank line.
    .map((section) => byHeading.get(section.split('\n')[0]) ?? section.replace(/\n+$/, '\n'));
  return [...generated.filter((s) => !kept.includes(s)), ...kept];
}

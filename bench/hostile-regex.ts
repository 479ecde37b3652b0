// Hostile regex benchmark (issue 8): one Ingress's regex path must not slow down another host.
// The same snapshot — a victim host and a host whose use-regex path is `/x(a|aa)+$` — is rendered
// as Gatehouse did before (the regex rendered, no pcre_jit) and as it does now (the Ingress left
// out), served by real nginx; the victim's latency is measured alone and while 4 connections send
// the regex its attack string.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ensureFallbackCertificate } from '../src/controller/fallback-cert.js';
import { ProcessNginxRunner } from '../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../src/k8s/ownership.js';
import { buildModel } from '../src/nginx/build-model.js';
import { renderNginxConf } from '../src/nginx/render.js';
import { endpointSlice } from '../test/fixtures/endpoint-slices.js';
import { ingress, shopCluster } from '../test/fixtures/builders.js';
import { freePort } from './lib.js';

const NGINX = process.env['GATEHOUSE_NGINX'] ?? '/usr/sbin/nginx';
const HOSTILE_PATH = '/x(a|aa)+$';
/** ~100–150 ms of PCRE2 interpreter time per request on this machine. */
const ATTACK = `/x${'a'.repeat(30)}!`;
const BACKEND_IP = '127.0.0.33';

export interface VictimLatency {
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
}

export interface HostileRegexBench {
  readonly seconds: number;
  /** Victim alone, current config. */
  readonly idle: VictimLatency;
  /** Victim under attack: the regex rendered as before (no pcre_jit). */
  readonly before: VictimLatency;
  /** Victim under attack: current config (the Ingress left out). */
  readonly now: VictimLatency;
  /** Attack requests per second nginx answered, before and now. */
  readonly attackRps: { readonly before: number; readonly now: number };
}

function backend(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((_req, res) => res.end('victim'));
    server.listen(0, BACKEND_IP, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** The victim's latency at a steady 200 req/s, with `attackers` connections hammering the hostile host meanwhile. */
async function measure(port: number, seconds: number, attackers: number): Promise<{ victim: VictimLatency; attackRps: number }> {
  const victim = autocannon({ url: `http://127.0.0.1:${port}/`, headers: { host: 'victim.example.com' }, connections: 2, overallRate: 200, duration: seconds });
  const attack =
    attackers > 0
      ? autocannon({ url: `http://127.0.0.1:${port}${ATTACK}`, headers: { host: 'hostile.example.com' }, connections: attackers, duration: seconds })
      : undefined;
  const [v, a] = await Promise.all([victim, attack]);
  return { victim: { p50: v.latency.p50, p99: v.latency.p99, rps: v.requests.average }, attackRps: a?.requests.average ?? 0 };
}

export async function benchHostileRegex(seconds = 5): Promise<HostileRegexBench> {
  const dir = await mkdtemp(join(tmpdir(), 'gh-bench-regex-'));
  const be = await backend();
  const cluster = shopCluster(
    endpointSlice('shop', 'web', [BACKEND_IP], be.port),
    ingress({ name: 'victim', host: 'victim.example.com' }),
    ingress({ name: 'hostile', host: 'hostile.example.com', annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, paths: [{ path: HOSTILE_PATH, pathType: 'ImplementationSpecific' }] }),
  );
  await ensureFallbackCertificate(dir);
  const [http, https] = [await freePort(), await freePort()];
  const render = (regexRedos: 'deny' | 'warn'): string =>
    renderNginxConf(buildModel(cluster, { ownership: DEFAULT_OWNERSHIP, regexRedos }).model, {
      configDir: dir,
      httpListen: `127.0.0.1:${http}`,
      httpsListen: `127.0.0.1:${https}`,
    });
  // Before: the regex went to nginx (what --regex-redos warn still does), matched without JIT.
  const before = render('warn').replace('\npcre_jit on;\n', '\n');
  const now = render('deny');
  if (!before.includes(HOSTILE_PATH) || now.includes(HOSTILE_PATH)) throw new Error('bench: the two configurations are not the ones compared');
  const runner = new ProcessNginxRunner({ binary: NGINX, configDir: dir });
  try {
    const results: Record<'before' | 'now', { victim: VictimLatency; attackRps: number }> = {} as never;
    let idle: VictimLatency | undefined;
    for (const [name, text] of [['now', now], ['before', before]] as const) {
      await writeFile(join(dir, 'nginx.conf'), text);
      await runner.start();
      await measure(http, 1, 0); // warm-up: connections, upstream keepalive
      if (name === 'now') idle = (await measure(http, seconds, 0)).victim;
      results[name] = await measure(http, seconds, 4);
      await runner.stop();
    }
    return { seconds, idle: idle!, before: results.before.victim, now: results.now.victim, attackRps: { before: results.before.attackRps, now: results.now.attackRps } };
  } finally {
    await runner.stop();
    be.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The docs/benchmarks.md section for one run. */
export function hostileRegexSection(r: HostileRegexBench): string {
  const row = (label: string, v: VictimLatency): string => `| ${label} | ${v.p50} | ${v.p99} | ${v.rps.toFixed(0)} |`;
  const ratio = r.before.p50 / Math.max(r.now.p50, 1);
  return `## Hostile regex path (issue 8)

Real nginx (worker_processes auto), one snapshot: a victim host (Prefix \`/\` → a loopback backend) and a
host whose \`use-regex\` path is \`${HOSTILE_PATH}\`. Before = the regex rendered as Gatehouse used to (what
\`--regex-redos warn\` still does) and no \`pcre_jit\`; now = the default, which leaves that Ingress out.
The victim gets a steady 200 req/s over 2 connections for ${r.seconds} s while 4 connections send
\`${ATTACK.slice(0, 8)}…!\` (30 a's) to the hostile host. Latency in whole ms (autocannon).

| victim host | p50 ms | p99 ms | req/s |
|---|---|---|---|
${row('alone', r.idle)}
${row('under attack, before', r.before)}
${row('under attack, now', r.now)}

Victim p50 under attack, before ÷ now: **${ratio.toFixed(0)}×** (a p50 under 1 ms counts as 1 ms). The hostile host answered
${r.attackRps.before.toFixed(1)} attack req/s before; now ${r.attackRps.now.toFixed(0)} req/s, each a 404 from the default route with no
regex run, and the victim's p50 does not move although those connections keep both cores busy.
`;
}

// Webhook memory under hostile input (issue 8). The real webhook process, started as the
// Deployment starts it (its container env, so its NODE_OPTIONS, plus the image's
// --max-semi-space-size=4), gets the issue's hostile inputs one after another while its RSS is
// read from /proc every 20 ms. Each case's peak is VmHWM (reset before the case through
// /proc/PID/clear_refs) or the highest sample, whichever is higher; "after" is VmRSS 2 s after the
// case ended. The limit compared against is the Deployment's own memory limit.
import { fork } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { Agent, request } from 'node:https';
import { basename, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { parse } from 'yaml';
import { MAX_BODY_BYTES, MAX_BUFFERED_BODY_BYTES } from '../src/admission/server.js';
import { freePort, stop, waitForHttp } from './lib.js';

// Runs from dist/bench/ (npm run bench) or from the sources (its smoke test under test/bench/).
const ROOT = join(import.meta.dirname, basename(join(import.meta.dirname, '..')) === 'dist' ? '../..' : '..');
const CLI = join(ROOT, 'dist/src/cli.js');
const DEPLOYMENT = join(ROOT, 'manifests/webhook-deployment.yaml');
const SNAPSHOT = join(ROOT, 'examples/snapshot');
const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';

/** What the Deployment gives the webhook container. */
export interface DeploymentSettings {
  readonly memoryLimitMiB: number;
  readonly env: Readonly<Record<string, string>>;
}

/** One hostile input, measured. */
export interface MemoryCase {
  readonly name: string;
  readonly sent: string;
  readonly peakMiB: number;
  readonly afterMiB: number;
  readonly seconds: number;
  /** What the webhook did with it (verdicts, how long connections were held, response size). */
  readonly outcome: string;
}

export interface WebhookMemoryBench {
  readonly deployment: DeploymentSettings;
  readonly idleMiB: number;
  readonly cases: readonly MemoryCase[];
}

function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`bench: cannot read memory quantity ${quantity}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** The webhook container's memory limit and env, from manifests/webhook-deployment.yaml. */
export async function deploymentSettings(file = DEPLOYMENT): Promise<DeploymentSettings> {
  const doc = parse(await readFile(file, 'utf8')) as {
    spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[]; resources: { limits: { memory: string } } }[] } } };
  };
  const container = doc.spec.template.spec.containers.find((c) => c.name === 'webhook');
  if (!container) throw new Error('bench: no webhook container in the Deployment');
  const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  return { memoryLimitMiB: mebibytes(container.resources.limits.memory), env };
}

async function procStatus(pid: number): Promise<{ rssMiB: number; hwmMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
}

/** Samples VmRSS until stopped; VmHWM is reset first so it covers this window only. */
async function sampleRss(pid: number): Promise<() => Promise<number>> {
  // Writing 5 resets the peak RSS (VmHWM). https://docs.kernel.org/filesystems/proc.html (clear_refs)
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {});
  let peak = 0;
  const timer = setInterval(() => {
    procStatus(pid).then(
      (s) => (peak = Math.max(peak, s.rssMiB)),
      () => {},
    );
  }, 20);
  return async () => {
    clearInterval(timer);
    return Math.max(peak, (await procStatus(pid)).hwmMiB);
  };
}

function review(object: unknown): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
      resource: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
      namespace: 'shop',
      name: 'hostile',
      operation: 'CREATE',
      object,
    },
  });
}

function ingress(annotations: Record<string, string>, paths: string[]): unknown {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: 'shop', name: 'hostile', annotations },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'hostile.example.com',
          http: { paths: paths.map((path) => ({ path, pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { number: 80 } } } })) },
        },
      ],
    },
  };
}

/** Review `i` of case (a): 30 distinct regex paths of 100 KB, so no cache can answer for another. */
export function regexPathsReview(i: number): string {
  const paths = Array.from({ length: 30 }, (_, j) => {
    const head = `/r${i}-${j}/(a|b)+`;
    return head + 'c'.repeat(100_000 - head.length);
  });
  return review(ingress({ 'nginx.ingress.kubernetes.io/use-regex': 'true' }, paths));
}

/** A review whose annotations are `keys` snippets: 150,000 of them come just under the 7 MiB body limit (case d). */
export function snippetKeysReview(keys = 150_000): string {
  const annotations: Record<string, string> = {};
  for (let i = 0; i < keys; i++) annotations[`nginx.ingress.kubernetes.io/a${i.toString(36)}-snippet`] = '';
  const body = review(ingress(annotations, ['/']));
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new Error(`bench: the snippet review is ${Buffer.byteLength(body)} bytes, over the body limit`);
  return body;
}

interface Answer {
  readonly status: number;
  readonly bytes: number;
  readonly allowed: boolean | undefined;
  readonly message: string;
}

function post(agent: Agent, port: number, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/validate', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: { response?: { allowed?: boolean; status?: { message?: string } } } = {};
          try {
            json = JSON.parse(text) as typeof json;
          } catch {
            /* reported as allowed: undefined */
          }
          resolve({ status: res.statusCode ?? 0, bytes: text.length, allowed: json.response?.allowed, message: json.response?.status?.message ?? '' });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `count` bodies over `connections` keep-alive HTTP/1.1 connections (as the API server's client). */
async function postMany(port: number, count: number, connections: number, bodyOf: (i: number) => string): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, rejectUnauthorized: false });
  const answers: Answer[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < count) answers.push(await post(agent, port, bodyOf(next++)));
      }),
    );
  } finally {
    agent.destroy();
  }
  return answers;
}

/** Verdicts, the largest answer and what its message says about the problems left out. */
function answered(answers: readonly Answer[]): string {
  const largest = Math.max(...answers.map((a) => a.bytes));
  const message = answers[0]?.message ?? '';
  const said = /and \d+ more problems/.exec(message)?.[0] ?? /total more than \d+ bytes/.exec(message)?.[0];
  return `${verdicts(answers)}; largest answer ${(largest / 1024).toFixed(1)} KiB${said ? ` ("… ${said} …")` : ''}`;
}

function verdicts(answers: readonly Answer[]): string {
  const denied = answers.filter((a) => a.allowed === false).length;
  const other = answers.length - denied;
  return `${denied} of ${answers.length} denied${other > 0 ? ` (${other} other: HTTP ${[...new Set(answers.filter((a) => a.allowed !== false).map((a) => a.status))].join(', ')})` : ''}`;
}

/** Case (b): `sessions` HTTP/2 connections × `streams` streams, each announcing 7 MB and sending 6 MB, never finishing. */
async function unfinishedHttp2Streams(port: number, sessions: number, streams: number): Promise<string> {
  const chunk = Buffer.alloc(6 * 1000 * 1000, 'x');
  const opened: ClientHttp2Session[] = [];
  const started = Date.now();
  const holds = await Promise.all(
    Array.from({ length: sessions }, () => {
      const session = http2Connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
      session.on('error', () => {});
      opened.push(session);
      return Promise.all(
        Array.from({ length: streams }, () => {
          const stream = session.request({ ':method': 'POST', ':path': '/validate', 'content-type': 'application/json', 'content-length': String(7_000_000) });
          let status = 0;
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.on('error', () => {});
          stream.on('data', () => {});
          stream.write('{"kind":"');
          stream.write(chunk);
          return new Promise<Ending>((resolve) => {
            const give = setTimeout(() => resolve({ ms: Infinity, how: 'still open' }), 30_000);
            stream.on('close', () => {
              clearTimeout(give);
              const how = status ? `answered ${status}` : (RST_NAMES[stream.rstCode] ?? `reset ${stream.rstCode}`);
              resolve({ ms: Date.now() - started, how });
            });
          });
        }),
      );
    }),
  );
  for (const s of opened) s.destroy();
  return endings('streams', holds.flat());
}

/** How one connection or stream ended, and when (ms after the case started). */
interface Ending {
  readonly ms: number;
  readonly how: string;
}

// https://www.rfc-editor.org/rfc/rfc9113#name-error-codes
const RST_NAMES: Record<number, string> = {
  8: 'cancelled at the 5 s deadline',
  11: 'refused by the HTTP/2 session memory limit (ENHANCE_YOUR_CALM)',
};

/** "160 streams: 12 answered 503, 148 cancelled at the 5 s deadline; the last closed after 5.1 s". */
function endings(what: string, all: readonly Ending[]): string {
  const counts = new Map<string, number>();
  for (const e of all) counts.set(e.how, (counts.get(e.how) ?? 0) + 1);
  const closed = all.filter((e) => e.ms !== Infinity).map((e) => e.ms);
  const hows = [...counts].sort((a, b) => b[1] - a[1]).map(([how, n]) => `${n} ${how}`);
  return `${all.length} ${what}: ${hows.join(', ')}; the last closed after ${(Math.max(0, ...closed) / 1000).toFixed(1)} s`;
}

/** Case (c): HTTP/1.1 connections whose headers, or whose body after `bodyBytes`, trickle in a byte every 500 ms. */
async function slowHttp1(port: number, connections: number, bodyBytes: number): Promise<string> {
  const started = Date.now();
  const open = (prefix: Buffer[]): Promise<Ending> =>
    new Promise((resolve) => {
      let answer = '';
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
        for (const part of prefix) socket.write(part);
      });
      const drip = setInterval(() => socket.write('x'), 500);
      const give = setTimeout(() => socket.destroy(), 30_000);
      socket.on('data', (d: Buffer) => (answer += answer.length < 16 ? d.toString('latin1') : ''));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(give);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
        const ms = Date.now() - started;
        resolve(ms >= 30_000 ? { ms: Infinity, how: 'still open' } : { ms, how: status ? `answered ${status}` : 'closed unanswered' });
      });
    });
  const headers = Array.from({ length: connections }, () => open([Buffer.from('POST /validate HTTP/1.1\r\nHost: localhost\r\nX-Slow: ')]));
  const body = Buffer.alloc(bodyBytes, 'x');
  const bodies = Array.from({ length: connections }, () =>
    open([Buffer.from('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 7000000\r\n\r\n{"kind":"'), body]),
  );
  const [h, b] = await Promise.all([Promise.all(headers), Promise.all(bodies)]);
  return `${endings('slow headers', h)}; ${endings('slow bodies', b)}`;
}

async function measure(pid: number, settleMs: number, name: string, sent: string, run: () => Promise<string>): Promise<MemoryCase> {
  const peak = await sampleRss(pid);
  const started = performance.now();
  const outcome = await run();
  const seconds = (performance.now() - started) / 1000;
  const peakMiB = await peak();
  await new Promise((r) => setTimeout(r, settleMs));
  const { rssMiB } = await procStatus(pid);
  return { name, sent, peakMiB, afterMiB: rssMiB, seconds, outcome };
}

export interface WebhookMemoryOptions {
  /** Multiplies the number of reviews, streams and connections (the smoke test runs a sliver). */
  readonly scale?: number;
  /** Wait before reading "after" RSS. */
  readonly settleMs?: number;
  /** How to start the webhook: the built CLI unless a test runs the TypeScript sources. */
  readonly node?: { readonly script: string; readonly execArgv: readonly string[] };
}

/** Runs the hostile inputs of issue 8 against one webhook process. */
export async function benchWebhookMemory(opts: WebhookMemoryOptions = {}): Promise<WebhookMemoryBench> {
  const { scale = 1, settleMs = 2000 } = opts;
  const deployment = await deploymentSettings();
  const [port, health] = [await freePort(), await freePort()];
  // As the image runs it: cli.js's shebang adds --max-semi-space-size=4, the Deployment its env.
  const node = opts.node ?? { script: CLI, execArgv: [] };
  const child = fork(node.script, ['webhook', '--self-signed', '--snapshot', SNAPSHOT, '--listen', `127.0.0.1:${port}`, '--health-listen', `127.0.0.1:${health}`], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--max-semi-space-size=4', ...node.execArgv],
    env: { ...process.env, ...deployment.env },
  });
  try {
    await waitForHttp(`http://127.0.0.1:${health}/readyz`, 60_000, child);
    const pid = child.pid!;
    await postMany(port, 20, 2, () => review(ingress({}, ['/']))); // warm-up
    await new Promise((r) => setTimeout(r, 1000));
    const idleMiB = (await procStatus(pid)).rssMiB;
    const n = (x: number) => Math.max(1, Math.round(x * scale));
    const cases: MemoryCase[] = [];

    const reviews = n(200);
    cases.push(
      await measure(pid, settleMs, '(a) regex paths', `${reviews} reviews, each 30 distinct use-regex paths of 100 KB (3 MB), 4 connections`, async () =>
        verdicts(await postMany(port, reviews, 4, regexPathsReview)),
      ),
    );

    const sessions = n(10);
    cases.push(
      await measure(pid, settleMs, '(b) unfinished HTTP/2 bodies', `${sessions * 16} HTTP/2 streams (${sessions} connections × 16), each 6 MB of a 7 MB body, never finished`, () =>
        unfinishedHttp2Streams(port, sessions, 16),
      ),
    );

    const slow = n(100);
    cases.push(
      await measure(pid, settleMs, '(c) slow HTTP/1.1', `${slow} connections with never-ending headers and ${slow} with 1 MB of a 7 MB body, then a byte every 500 ms`, () =>
        slowHttp1(port, slow, 1_000_000),
      ),
    );

    const hostile = snippetKeysReview();
    const sends = n(5);
    cases.push(
      await measure(pid, settleMs, '(d) 150k snippet keys', `one ${(Buffer.byteLength(hostile) / 2 ** 20).toFixed(1)} MiB review with 150,000 snippet annotations, sent ${sends} times`, async () =>
        answered(await postMany(port, sends, 1, () => hostile)),
      ),
    );

    // The most findings a review through the API server can carry: its annotations stay within 256 KiB.
    const legal = snippetKeysReview(6000);
    const legalSends = n(50);
    cases.push(
      await measure(pid, settleMs, '(e) 6,000 snippet keys', `a ${(Buffer.byteLength(legal) / 1024).toFixed(0)} KiB review with 6,000 snippet annotations (within the API server's 256 KiB), sent ${legalSends} times over 2 connections`, async () =>
        answered(await postMany(port, legalSends, 2, () => legal)),
      ),
    );

    // The webhook must still answer after all of it.
    const after = await postMany(port, 1, 1, () => review(ingress({}, ['/'])));
    if (after[0]?.allowed !== true) throw new Error(`bench: the webhook did not answer a plain review afterwards (HTTP ${after[0]?.status})`);
    return { deployment, idleMiB, cases };
  } finally {
    await stop(child);
  }
}

/** The docs/benchmarks.md section for one run. */
export function webhookMemorySection(r: WebhookMemoryBench): string {
  const limit = r.deployment.memoryLimitMiB;
  const nodeOptions = r.deployment.env['NODE_OPTIONS'];
  const rows = r.cases.map((c) => `| ${c.name} | ${c.sent} | ${c.peakMiB.toFixed(0)} | ${c.afterMiB.toFixed(0)} | ${c.seconds.toFixed(1)} | ${c.outcome} |`);
  const worst = Math.max(...r.cases.map((c) => c.peakMiB));
  return `## Webhook memory under hostile input (issue 8)

The webhook process (\`gatehouse webhook --self-signed --snapshot examples/snapshot\`) started as the
Deployment starts it: the image's \`--max-semi-space-size=4\`${nodeOptions ? ` and the container's \`NODE_OPTIONS=${nodeOptions}\`` : ''};
the Deployment limits it to **${limit} MiB**. The cases run one after another against the same process,
the clients on the same (shared, 2-core) machine over TLS on loopback. Peak = VmHWM (reset before each
case through \`/proc/PID/clear_refs\`) or the highest VmRSS sample (every 20 ms); after = VmRSS 2 s after
the case. Idle after a warm-up: ${r.idleMiB.toFixed(0)} MiB. One run.

| case | sent | peak RSS MiB | RSS after MiB | s | outcome |
|---|---|---|---|---|---|
${rows.join('\n')}

Highest peak: **${worst.toFixed(0)} MiB** of ${limit} MiB (${worst < limit ? 'under the limit' : '**over the limit**'}).

Outcomes: 503 = over the ${MAX_BUFFERED_BODY_BYTES / 2 ** 20} MiB of request bodies the webhook holds at once, over every
connection; 408 = cut off at the 3 s (headers) or 5 s (request) limit; ENHANCE_YOUR_CALM = Node's
per-connection HTTP/2 memory limit (\`maxSessionMemory\`); closed unanswered = refused too, the 503
lost to the TCP reset of a connection closed while the client was still sending. RSS "after" is
what V8 keeps for reuse plus what malloc has not handed back yet (it is trimmed every 5 s,
\`--native-heap-trim-interval\`), and the peak of each case adds to what the cases before it left.
Over five runs with this setting while tuning (2026-11-30, before the native heap was trimmed)
the highest peak was 208–230 MiB.

Before the body budget, the answer caps and the V8 heap limit (same bench and machine, 2026-11-30; the
byte-bounded regex caches and the 3 s / 5 s limits already in): (a) 210 MiB; (b) 1,180 MiB, every stream
held to the 5 s deadline; (c) 1,197 MiB; (d) 1,533 MiB, each review answered with 42 MB.
`;
}

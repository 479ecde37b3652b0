// Real nginx + real backends for controller tests. Backends listen on distinct loopback
// addresses (Linux routes all of 127/8 to lo) on OS-chosen ports and answer with their identity.
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { freePort } from '../../bench/lib.js';
import { NginxApplier, type ApplyResult } from '../../src/controller/apply.js';
import { EndpointPublisher } from '../../src/controller/endpoint-publisher.js';
import { gatehouseLuaDir } from '../../src/controller/lua-dir.js';
import { ensureFallbackCertificate } from '../../src/controller/fallback-cert.js';
import { createControllerMetrics, type ControllerMetrics } from '../../src/controller/metrics.js';
import { ProcessNginxRunner, type NginxRunner, type ProcessRunnerOptions } from '../../src/controller/nginx-runner.js';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import type { ClusterSnapshot } from '../../src/k8s/snapshot.js';
import { buildModel, type BuildModelOptions, type BuildModelResult } from '../../src/nginx/build-model.js';
import type { EndpointChannelOptions } from '../../src/nginx/dynamic-upstreams.js';
import { renderNginxConf, type RenderOptions } from '../../src/nginx/render.js';

export const NGINX_BINARY = process.env.GATEHOUSE_TEST_NGINX ?? '/usr/sbin/nginx';

/** What a backend saw. */
export interface Echo {
  backend: string;
  method: string;
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  /** Which TCP connection (per backend) carried the request. */
  connection: number;
}

export interface Backend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** An HTTP server on `ip`:0 answering every request with an Echo (status 200, JSON). */
export async function startBackend(name: string, ip: string, handler?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<Backend> {
  let connections = 0;
  const ids = new WeakMap<net.Socket, number>();
  const server = http.createServer((req, res) => {
    if (handler?.(req, res)) return;
    const echo: Echo = { backend: name, method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, headers: req.headers, connection: ids.get(req.socket) ?? 0 };
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(echo));
    });
  });
  server.on('connection', (socket: net.Socket) => ids.set(socket, ++connections));
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    ip,
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on right now (bind :0, read, close). */
export { freePort };

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The backend's echo, when a backend answered. */
  echo?: Echo;
  /** CN of the certificate nginx presented (HTTPS only). */
  certCN?: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent;
  /** HTTPS with this SNI name (default: no SNI). */
  sni?: string;
  https?: boolean;
  /** Source address of the client socket (a 127/8 address: a different client to nginx). */
  localAddress?: string;
  /** HTTPS client certificate and key (PEM) to present. */
  clientCert?: { readonly cert: string; readonly key: string };
}

function parse(status: number, headers: IncomingHttpHeaders, text: string, certCN?: string): Response {
  let echo: Echo | undefined;
  if (headers['content-type'] === 'application/json') echo = JSON.parse(text) as Echo;
  return { status, headers, text, ...(echo ? { echo } : {}), ...(certCN !== undefined ? { certCN } : {}) };
}

/** One request to 127.0.0.1:port with a Host header. */
export function request(port: number, host: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const base = {
      host: '127.0.0.1',
      port,
      path,
      method: opts.method ?? 'GET',
      headers: { host, ...opts.headers },
      agent: opts.agent ?? false,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    };
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      const socket = res.socket as import('node:tls').TLSSocket;
      const certCN = opts.https ? String(socket.getPeerCertificate?.().subject?.CN ?? '') : undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(parse(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString(), certCN)));
    };
    const req = opts.https
      ? https.request({ ...base, ...(opts.sni ? { servername: opts.sni } : {}), ...(opts.clientCert ?? {}), rejectUnauthorized: false }, onResponse)
      : http.request(base, onResponse);
    req.setTimeout(15_000, () => req.destroy(new Error(`request to ${host}${path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Polls `fn` until it returns true or the deadline passes. */
export async function eventually(fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** nginx in a temp prefix dir, fed through the real applier. */
export class NginxHarness {
  reloads = 0;
  /** Render options on top of the harness's own (access log, traffic log, client IP). */
  extraOptions: Partial<RenderOptions> = {};
  lastBuild: BuildModelResult | undefined;
  /** Operator settings on top of renderOptions()'s (an access log). */
  extraRenderOptions: Partial<RenderOptions> = {};
  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    readonly httpsPort: number,
    readonly statusPort: number,
    readonly runner: ProcessNginxRunner,
    readonly applier: NginxApplier,
    readonly metrics: ControllerMetrics,
    readonly registry: Registry,
  ) {}

  /** The Lua endpoint channel, when the harness was created with it (as `gatehouse controller` runs). */
  channel: EndpointChannelOptions | undefined;
  private publisher: EndpointPublisher | undefined;

  /**
   * `binary`: the nginx to run (refusing-nginx.ts wraps the real one). `channel`: endpoints through
   * the Lua channel (docs/controller.md, "Endpoint changes"): apply() publishes them, as the
   * controller does, and waits until nginx's worker has loaded them.
   */
  static async create(binary = NGINX_BINARY, runnerOptions: Pick<ProcessRunnerOptions, 'onLog' | 'stdout'> = {}, options: { channel?: boolean } = {}): Promise<NginxHarness> {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-nginx-'));
    await chmod(dir, 0o755); // workers (nobody) need to reach their temp dirs
    await ensureFallbackCertificate(dir);
    const [httpPort, httpsPort, statusPort] = [await freePort(), await freePort(), await freePort()];
    const runner = new ProcessNginxRunner({ binary, configDir: dir, backoff: { initialMs: 50, maxMs: 1000 }, ...runnerOptions });
    const registry = new Registry();
    const metrics = createControllerMetrics(registry);
    let harness: NginxHarness | undefined;
    const countingRunner: NginxRunner = {
      test: (path) => runner.test(path),
      reload: async () => {
        harness!.reloads++;
        await runner.reload();
      },
      start: () => runner.start(),
      stop: () => runner.stop(),
      get running() {
        return runner.running;
      },
    };
    const applier = new NginxApplier({
      configDir: dir,
      runner: countingRunner,
      metrics,
      confirm: async (checksum) => (await request(statusPort, 'status', '/gatehouse/checksum')).text === checksum,
    });
    harness = new NginxHarness(dir, httpPort, httpsPort, statusPort, runner, applier, metrics, registry);
    if (options.channel) {
      harness.channel = { file: join(dir, 'endpoints'), luaDir: gatehouseLuaDir()! };
      harness.publisher = new EndpointPublisher(harness.channel.file);
    }
    return harness;
  }

  renderOptions(): RenderOptions {
    return {
      configDir: this.dir,
      httpListen: `127.0.0.1:${this.httpPort}`,
      httpsListen: `127.0.0.1:${this.httpsPort}`,
      statusListen: `127.0.0.1:${this.statusPort}`,
      workerProcesses: 1,
      workerConnections: 1024,
      ...(this.channel ? { endpointChannel: this.channel } : {}),
      ...this.extraRenderOptions,
    };
  }

  /** Builds and renders the cluster as the controller would. */
  render(cluster: ClusterSnapshot, options: Partial<BuildModelOptions> = {}): { text: string; build: BuildModelResult } {
    const build = buildModel(cluster, { ownership: DEFAULT_OWNERSHIP, ...options });
    this.lastBuild = build;
    return { text: renderNginxConf(build.model, this.renderOptions()), build };
  }

  /** Renders and applies; starts nginx on first use. */
  async apply(cluster: ClusterSnapshot, options: Partial<BuildModelOptions> = {}): Promise<ApplyResult> {
    const { text, build } = this.render(cluster, options);
    // As the controller: endpoints first, so workers a reload starts have them.
    await this.publisher?.publish(build.model);
    const result = await this.applier.apply(text, build.model.secretFiles);
    if (result.status === 'applied' && !this.runner.running) await this.runner.start();
    if (this.channel && this.runner.running) await this.endpointsLoaded();
    return result;
  }

  /** Waits until nginx's worker has loaded the endpoint file as it is now (it polls every 100 ms). */
  async endpointsLoaded(): Promise<void> {
    const header = (await readFile(this.channel!.file, 'utf8')).split('\n')[0]!;
    const loaded = await eventually(async () => (await request(this.statusPort, 'status', '/gatehouse/endpoints')).text.trim() === header, 10_000);
    if (!loaded) throw new Error('nginx did not load the endpoint file');
  }

  get(host: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    return request(opts.https ? this.httpsPort : this.httpPort, host, path, opts);
  }

  async close(): Promise<void> {
    await this.runner.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

import fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  /** True once the process can do its job (informers synced, certificate loaded). */
  readonly ready: () => boolean;
  /** Why not ready, for humans reading /readyz. */
  readonly notReadyReason?: () => string;
  /**
   * While ready, what the process does not do fully (e.g. Ingresses left out of the served
   * configuration): /readyz stays 200 and says so in its body. Undefined when nothing is missing.
   */
  readonly degraded?: () => string | undefined;
  readonly registry: Registry;
  /** The webhook's report on the Ingresses already in the cluster, served as JSON on `/existing`. */
  readonly existing?: () => unknown;
}

/** Plain-HTTP `/healthz`, `/readyz`, `/metrics` (and `/existing` when given) (kubelet probes and Prometheus do not speak our TLS). */
export function buildHealthServer(opts: HealthServerOptions): FastifyInstance {
  const app = fastify({ logger: false, bodyLimit: 1024 });
  app.get('/healthz', async () => 'ok\n');
  app.get('/readyz', async (_req, reply) => {
    if (opts.ready()) {
      const degraded = opts.degraded?.();
      return degraded === undefined ? 'ok\n' : `ok\n${degraded}\n`;
    }
    return reply.code(503).send(`not ready: ${opts.notReadyReason?.() ?? 'starting'}\n`);
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(body);
  });
  if (opts.existing) {
    const existing = opts.existing;
    app.get('/existing', async (_req, reply) => reply.type('application/json').send(JSON.stringify(existing())));
  }
  return app;
}

import { readFile } from 'node:fs/promises';
import { CertReloader } from '../admission/cert-reloader.js';
import type { AdmissionDeps } from '../admission/handler.js';
import { buildWebhookServer, setServingPair } from '../admission/server.js';
import type { HostPort } from '../config/flags.js';
import { WEBHOOK_FLAGS, webhookConfigFrom } from '../config/webhook-config.js';
import { GatehouseError } from '../errors.js';
import { buildHealthServer } from '../health/server.js';
import { createLogger } from '../log.js';
import { createWebhookMetrics } from '../metrics.js';
import { RULES } from '../rules/index.js';
import { openSnapshotSource } from '../k8s/snapshot-source.js';
import { selfSignedKeyPair } from '../tls/self-signed.js';
import type { ServingPair } from '../tls/serving-pair.js';
import type { Command } from './command.js';

function urlHost(hp: HostPort): string {
  const host = hp.host === '0.0.0.0' || hp.host === '::' ? '127.0.0.1' : hp.host;
  return host.includes(':') ? `[${host}]` : host;
}

async function listen(app: { listen(o: { host: string; port: number }): Promise<string> }, hp: HostPort, what: string): Promise<void> {
  try {
    await app.listen({ host: hp.host, port: hp.port });
  } catch (err) {
    throw new GatehouseError('LISTEN', `${what} ${hp.host}:${hp.port}: ${(err as Error).message}`, { cause: err });
  }
}

export const webhookCommand: Command = {
  name: 'webhook',
  usage: 'gatehouse webhook (--tls-cert-file PATH --tls-key-file PATH | --self-signed) [flags]',
  summary:
    'Serves the validating (/validate, /networking/v1/ingresses) and mutating (/mutate) admission webhook over HTTPS,\n' +
    'against --snapshot files or the live cluster (--kubeconfig or in-cluster config).',
  flags: WEBHOOK_FLAGS,
  async run(parsed, io) {
    const config = webhookConfigFrom(parsed);
    const logger = createLogger(config.logLevel);
    const source = await openSnapshotSource(config, logger.child({ component: 'snapshot' }));
    const metrics = createWebhookMetrics(() => source.cluster);
    const deps: AdmissionDeps = {
      cluster: source.cluster,
      synced: source.synced,
      rules: RULES,
      options: config.rules,
      logger: logger.child({ component: 'admission' }),
    };
    let pair: ServingPair;
    let reloader: CertReloader | undefined;
    if (config.tls === 'self-signed') {
      pair = selfSignedKeyPair(['localhost', '127.0.0.1', '::1']);
      logger.warn('serving a self-signed certificate for localhost: for try-outs only');
    } else {
      reloader = new CertReloader(config.tls.certFile, config.tls.keyFile, (next) => {
        setServingPair(app, next);
        metrics.tlsCertExpiry.set(next.notAfter.getTime() / 1000);
      }, logger.child({ component: 'cert-reloader' }));
      try {
        pair = await reloader.load();
      } catch (err) {
        throw new GatehouseError('TLS_CONFIG', (err as Error).message, { cause: err });
      }
    }
    metrics.tlsCertExpiry.set(pair.notAfter.getTime() / 1000);
    const clientCa = config.clientCaFile ? await readFile(config.clientCaFile, 'utf8').catch((err: Error) => {
      throw new GatehouseError('TLS_CONFIG', `--client-ca-file: ${err.message}`);
    }) : undefined;
    const app = buildWebhookServer({
      tls: pair,
      ...(clientCa ? { clientCa } : {}),
      allowedClientNames: config.allowedClientNames,
      deps,
      metrics,
    });
    const health = buildHealthServer({
      ready: source.synced,
      notReadyReason: () => 'informers have not synced',
      registry: metrics.registry,
    });
    await listen(health, config.healthListen, 'health server');
    await listen(app, config.listen, 'webhook');
    reloader?.start();
    logger.info({ listen: config.listen, health: config.healthListen, source: source.description }, 'webhook serving');
    if (config.printCurl) {
      const base = `https://${urlHost(config.listen)}:${config.listen.port}`;
      io.stdout(
        `\nGatehouse webhook is serving on ${base} (snapshot: ${source.description}).\n` +
          `Try a denial (the example review asks for a wrong port, a missing Service, a bad rewrite and an injected annotation):\n\n` +
          `  curl -sk -H 'Content-Type: application/json' --data @examples/reviews/denied.json ${base}/validate\n\n` +
          `Metrics: curl -s http://${urlHost(config.healthListen)}:${config.healthListen.port}/metrics | grep gatehouse_\n` +
          `Press Ctrl-C to stop.\n`,
      );
    }
    const signal = await io.stopSignal;
    logger.info({ signal }, 'shutting down');
    reloader?.stop();
    await app.close();
    await health.close();
    await source.stop();
    logger.info('stopped');
    logger.flush();
    return 0;
  },
};

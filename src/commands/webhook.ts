import { WEBHOOK_FLAGS, webhookConfigFrom } from '../config/webhook-config.js';
import { buildHealthServer } from '../health/server.js';
import { openSnapshotSource } from '../k8s/snapshot-source.js';
import { createLogger } from '../log.js';
import { createWebhookMetrics } from '../metrics.js';
import { keepNativeHeapTrimmed } from '../native-heap.js';
import { ExistingReport } from '../report/existing-report.js';
import { RULES } from '../rules/index.js';
import type { Command } from './command.js';
import { listenOn, serveWebhook, urlHost, type ServedWebhook } from './serve-webhook.js';

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
    const source = await openSnapshotSource({ ...config, env: io.env }, logger.child({ component: 'snapshot' }));
    const metrics = createWebhookMetrics(() => source.cluster);
    const stopTrimming = keepNativeHeapTrimmed(config.nativeHeapTrimIntervalMs, logger);
    // Re-judges the cached Ingresses after changes, off the admission path (files: once), with
    // the policy the webhook applies (a --policy-file reload starts a new pass).
    let served: ServedWebhook | undefined;
    const existing = new ExistingReport(
      {
        cluster: source.cluster,
        synced: source.synced,
        rules: RULES,
        options: config.rules,
        policy: () => served?.policy() ?? config.rules.policy,
        logger: logger.child({ component: 'existing-report' }),
      },
      metrics.existingFindings,
    );
    const unsubscribeExisting = source.onChange(() => existing.schedule());
    void source.whenSynced().then(() => existing.schedule());
    const health = buildHealthServer({
      existing: () => existing.entries(),
      ready: source.synced,
      notReadyReason: () => 'informers have not synced',
      registry: metrics.registry,
    });
    await listenOn(health, config.healthListen, 'health server');
    const webhook = await serveWebhook(config, source, metrics, logger, { onPolicyChange: () => existing.schedule() });
    served = webhook;
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
    unsubscribeExisting();
    existing.stop();
    stopTrimming();
    await webhook.close();
    await health.close();
    await source.stop();
    logger.info('stopped');
    logger.flush();
    return 0;
  },
};

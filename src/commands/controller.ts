import { chmod, mkdir, readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { CONTROLLER_FLAGS, controllerConfigFrom, nameserversOf } from '../config/controller-config.js';
import { NginxApplier } from '../controller/apply.js';
import { ensureFallbackCertificate } from '../controller/fallback-cert.js';
import { createControllerMetrics } from '../controller/metrics.js';
import { ProcessNginxRunner } from '../controller/nginx-runner.js';
import type { StatusPublishing } from '../controller/publish-status.js';
import { createReconciler } from '../controller/reconcile.js';
import { nginxListen, renderSnapshot } from '../controller/render-snapshot.js';
import { buildHealthServer } from '../health/server.js';
import { CONTROLLER_KINDS, openSnapshotSource } from '../k8s/snapshot-source.js';
import { createLogger } from '../log.js';
import { createWebhookMetrics } from '../metrics.js';
import type { Command } from './command.js';
import { listenOn, serveWebhook, urlHost, type ServedWebhook } from './serve-webhook.js';

export const controllerCommand: Command = {
  name: 'controller',
  usage: 'gatehouse controller [--snapshot PATH... | --kubeconfig PATH] [flags]',
  summary:
    'Watches Ingresses, Services, EndpointSlices, TLS Secrets and IngressClasses, renders nginx.conf, checks it with\n' +
    "nginx -t and reloads nginx only when it changed. Starts and supervises nginx itself. With --webhook-listen it also\n" +
    'serves the admission webhook from the same cache.',
  flags: CONTROLLER_FLAGS,
  async run(parsed, io) {
    const config = controllerConfigFrom(parsed, io.env);
    const logger = createLogger(config.logLevel);
    const log = logger.child({ component: 'controller' });
    const source = await openSnapshotSource(config, logger.child({ component: 'snapshot' }), CONTROLLER_KINDS);
    const registry = new Registry();
    const webhookMetrics = createWebhookMetrics(() => source.cluster, registry);
    const metrics = createControllerMetrics(registry);

    await mkdir(config.configDir, { recursive: true });
    // nginx workers run as an unprivileged user when the master is root: they must read the dir.
    await chmod(config.configDir, 0o755);
    await ensureFallbackCertificate(config.configDir);

    const runner = new ProcessNginxRunner({
      binary: config.nginxBinary,
      configDir: config.configDir,
      onLog: (line) => logger.child({ component: 'nginx' }).info(line),
      onUnexpectedExit: (info) => log.warn(info, 'nginx exited unexpectedly; restarting'),
      // nginx parses the whole configuration on start and reload: ~0.5 s per 1,000 hosts.
      startTimeoutMs: 120_000,
      reloadTimeoutMs: 120_000,
    });
    const statusUrl = `http://${urlHost(config.statusListen)}:${config.statusListen.port}/gatehouse/checksum`;
    const applier = new NginxApplier({
      configDir: config.configDir,
      runner,
      metrics,
      confirm: async (checksum) => (await (await fetch(statusUrl)).text()).trim() === checksum,
      confirmTimeoutMs: 120_000,
    });

    // ExternalName Services are resolved by nginx at request time.
    const resolvers = config.resolvers.length > 0 ? config.resolvers : nameserversOf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
    let status: StatusPublishing | undefined;
    let latest: ReturnType<typeof renderSnapshot> | undefined;
    const render = () => {
      latest = renderSnapshot(source.cluster, config, { statusListen: nginxListen(config.statusListen), resolvers });
      for (const s of latest.build.skipped) log.error({ ingress: s.ingress, reason: s.reason }, 'Ingress skipped: it cannot be rendered safely');
      for (const c of latest.build.conflicts) log.warn(c, 'conflicting Ingresses; the older one wins');
      for (const w of latest.build.warnings) log.warn(w, 'Ingress served with a problem');
      return { text: latest.text, certificates: latest.build.model.certificates, ownedIngresses: latest.build.owned };
    };

    await source.whenSynced();
    const initial = render();
    metrics.ownedIngresses.set(initial.ownedIngresses);
    const first = await applier.apply(initial.text, initial.certificates);
    if (first.status === 'rejected') log.error({ message: first.message }, 'the first configuration failed nginx -t; starting with it anyway is impossible');
    await runner.start();
    log.info({ checksum: first.checksum }, 'nginx started');

    const reconciler = createReconciler({
      debounceMs: config.syncDelayMs,
      maxDelayMs: config.syncMaxDelayMs,
      metrics,
      render,
      apply: (c) => applier.apply(c.text, c.certificates),
      onResult: (result) => {
        if (result.status === 'applied') log.info({ checksum: result.checksum }, 'nginx reloaded');
        else if (result.status === 'rejected') log.error({ message: result.message }, 'new configuration failed nginx -t; the last good one keeps serving');
        else if (result.status === 'reload-failed') log.error({ message: result.message }, 'nginx did not load the new configuration');
        // Status is written only once nginx serves what the Ingresses ask for.
        if (result.status === 'applied' && latest) status?.publish(latest.build);
      },
      onError: (err) => log.error({ err }, 'reconcile failed'),
    });
    const unsubscribe = source.onChange(() => reconciler.trigger());

    if (source.kubeConfig) {
      // Loaded only with the live API: it pulls in @kubernetes/client-node (~80 MB of RSS).
      const { startStatusPublishing } = await import('../controller/publish-status.js');
      status = startStatusPublishing({ kubeConfig: source.kubeConfig, config, cluster: source.cluster, logger });
      if (first.status !== 'rejected' && latest) status.publish(latest.build);
    }

    let webhook: ServedWebhook | undefined;
    if (config.webhook) webhook = await serveWebhook(config.webhook, source, webhookMetrics, logger);
    const health = buildHealthServer({
      ready: () => source.synced() && runner.running && applier.current !== undefined,
      notReadyReason: () => (!source.synced() ? 'informers have not synced' : 'nginx has not loaded a configuration'),
      registry,
    });
    await listenOn(health, config.healthListen, 'health server');
    log.info({ http: config.httpListen, https: config.httpsListen, source: source.description, webhook: config.webhook?.listen }, 'controller running');

    const signal = await io.stopSignal;
    log.info({ signal }, 'shutting down: no more changes; nginx finishes its requests');
    unsubscribe();
    await reconciler.stop();
    await status?.stop();
    await webhook?.close();
    await runner.stop();
    await health.close();
    await source.stop();
    logger.info('stopped');
    logger.flush();
    return 0;
  },
};

import { fstatSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { CONTROLLER_FLAGS, controllerConfigFrom, nameserversOf } from '../config/controller-config.js';
import { NginxApplier } from '../controller/apply.js';
import { defaultCertificate, ensureFallbackCertificate } from '../controller/fallback-cert.js';
import { flagConflicts } from '../configmap/flag-conflicts.js';
import { LiveGlobalConfig, refusalMessage } from '../configmap/live-config.js';
import { scopedSnapshot } from '../k8s/namespace-scope.js';
import { createControllerMetrics } from '../controller/metrics.js';
import { certificateExpiries } from '../controller/traffic-certificates.js';
import { TrafficMetrics } from '../controller/traffic-metrics.js';
import { registerNginxStatusMetrics } from '../controller/traffic-nginx-status.js';
import { TrafficReceiver } from '../controller/traffic-receiver.js';
import type { BuildModelResult } from '../nginx/build-model.js';
import { ProcessNginxRunner } from '../controller/nginx-runner.js';
import type { StatusPublishing } from '../controller/publish-status.js';
import { ExclusionReport } from '../controller/exclusion-report.js';
import { EndpointPublisher } from '../controller/endpoint-publisher.js';
import { gatehouseLuaDir } from '../controller/lua-dir.js';
import { Quarantine, type QuarantineResult } from '../controller/quarantine.js';
import { createReconciler, type RenderedConfig } from '../controller/reconcile.js';
import { nginxListen, renderSnapshot } from '../controller/render-snapshot.js';
import { buildHealthServer } from '../health/server.js';
import { CONTROLLER_KINDS, openSnapshotSource } from '../k8s/snapshot-source.js';
import { createLogger } from '../log.js';
import { createWebhookMetrics } from '../metrics.js';
import { keepNativeHeapTrimmed } from '../native-heap.js';
import { findNginxBinary } from '../controller/nginx-binary.js';
import { GatehouseError } from '../errors.js';
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
    const nginxBinary = findNginxBinary(config.nginxBinary, io.env['PATH']);
    if ('error' in nginxBinary) throw new GatehouseError('USAGE', nginxBinary.error);
    const nginxPath = nginxBinary.path;
    // nginx opens /dev/stdout itself (access_log), which fails with ENXIO when it is a socket
    // (a journald stream, a Node parent's 'pipe'): say so now rather than fail at nginx's start.
    if (config.accessLog === 'stdout' && stdoutIsSocket()) {
      throw new GatehouseError('USAGE', '--access-log stdout: this process\'s stdout is a socket, which nginx cannot open as /dev/stdout; use --access-log PATH or --access-log off');
    }
    const logger = createLogger(config.logLevel);
    const log = logger.child({ component: 'controller' });
    // SIGTERM is honoured at every stage of start-up (an informer that cannot sync, nginx slow to
    // load 10,000 hosts): each step races the stop signal, and what was started is stopped.
    let stopSignalled: string | undefined;
    const stopped = io.stopSignal.then((signal) => {
      stopSignalled = signal;
      return STOPPED;
    });
    const step = async <T>(work: Promise<T>): Promise<T> => {
      const result = await Promise.race([work, stopped]);
      if (result === STOPPED) throw new StoppedDuringStartup();
      return result as T;
    };
    const cleanups: (() => Promise<unknown>)[] = [];
    let stopWatch = async (): Promise<void> => {};
    try {
      return await serve();
    } catch (err) {
      if (!(err instanceof StoppedDuringStartup)) throw err;
      log.info({ signal: stopSignalled }, 'stop signal during start-up; stopping what was started');
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      logger.flush();
      return 0;
    }

    async function serve(): Promise<number> {
      const source = await step(openSnapshotSource({ ...config, env: io.env }, logger.child({ component: 'snapshot' }), CONTROLLER_KINDS));
      cleanups.push(() => source.stop());
      const stopTrimming = keepNativeHeapTrimmed(config.nativeHeapTrimIntervalMs, logger);
      cleanups.push(async () => stopTrimming());
      const registry = new Registry();
      const webhookMetrics = createWebhookMetrics(() => source.cluster, registry);
      const metrics = createControllerMetrics(registry);

      await mkdir(config.configDir, { recursive: true });
      // nginx workers run as an unprivileged user when the master is root: they must read the dir.
      await chmod(config.configDir, 0o755);
      await ensureFallbackCertificate(config.configDir);

      const runner = new ProcessNginxRunner({
        binary: nginxPath,
        configDir: config.configDir,
        onLog: (line) => logger.child({ component: 'nginx' }).info(line),
        // The access log goes to the Pod's stdout as nginx writes it: no JSON-in-JSON, and the
        // controller's event loop is not in the path of every request.
        ...(config.accessLog === 'stdout' ? { stdout: 'inherit' as const } : {}),
        onUnexpectedExit: (info) => log.warn(info, 'nginx exited unexpectedly; restarting'),
        onOrphan: (orphan) =>
          orphan.kind === 'stopped'
            ? log.warn(orphan, 'stopped the nginx an earlier controller left running on this config dir')
            : log.warn(orphan, orphan.kind === 'foreign' ? 'the pid file names a process that is not our nginx; left alone' : 'the nginx an earlier controller left running did not stop'),
        // nginx parses the whole configuration on start and reload: ~0.5 s per 1,000 hosts.
        startTimeoutMs: 120_000,
        reloadTimeoutMs: 120_000,
      });
      const statusBase = `http://${urlHost(config.statusListen)}:${config.statusListen.port}`;
      const statusUrl = `${statusBase}/gatehouse/checksum`;
      registerNginxStatusMetrics(registry, async () => (await fetch(`${statusBase}/gatehouse/nginx-status`, { signal: AbortSignal.timeout(2000) })).text());
      // Per-Ingress request metrics from nginx's traffic log (controller/traffic-receiver.ts).
      const traffic = config.trafficMetrics ? new TrafficMetrics(registry) : undefined;
      const receiver = traffic ? new TrafficReceiver(traffic, registry) : undefined;
      const trafficLog = receiver ? await step(receiver.start()) : undefined;
      if (receiver) cleanups.push(() => receiver.stop());
      const onServed = (served: BuildModelResult): void => {
        metrics.certificateExpiry.reset();
        for (const [host, expiry] of certificateExpiries(served.model)) metrics.certificateExpiry.set({ host }, expiry);
        const rendered = new Set(served.rendered);
        traffic?.retain((ingress) => rendered.has(ingress));
      };
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
      // Endpoint changes without reloads (docs/controller.md, "Endpoint changes").
      const luaDir = config.dynamicEndpoints ? gatehouseLuaDir() : undefined;
      if (config.dynamicEndpoints && luaDir === undefined) throw new GatehouseError('USAGE', '--dynamic-endpoints: lua/gatehouse/endpoints.lua is missing from this installation (or pass --dynamic-endpoints=false)');
      const endpointChannel = luaDir ? { file: `${config.configDir}/endpoints`, luaDir } : undefined;
      const publisher = endpointChannel ? new EndpointPublisher(endpointChannel.file) : undefined;
      // --configmap: the global configuration in force (the defaults until it is read).
      let globalConfig: LiveGlobalConfig | undefined;
      // --watch-namespace(-selector): Ingresses elsewhere do not exist for the renderer.
      const scope = { namespaces: config.watchNamespaces, ...(config.watchNamespaceSelector !== undefined ? { selector: config.watchNamespaceSelector } : {}) };
      let defaultCertProblem: string | undefined;
      const renderWithout = (excluded: ReadonlySet<string>): RenderedConfig => {
        const cert = config.defaultSslCertificate ? defaultCertificate(source.cluster, config.defaultSslCertificate) : undefined;
        if (cert && !cert.ok && cert.reason !== defaultCertProblem) log.warn({ reason: cert.reason }, '--default-ssl-certificate unusable; presenting the generated certificate');
        defaultCertProblem = cert && !cert.ok ? cert.reason : undefined;
        const { text, build } = renderSnapshot(
          scopedSnapshot(source.cluster, scope),
          config,
          {
            statusListen: nginxListen(config.statusListen),
            resolvers,
            ...(globalConfig ? { global: globalConfig.current } : {}),
            ...(endpointChannel ? { endpointChannel } : {}),
            ...(trafficLog ? { trafficLog } : {}),
            ...(cert?.ok ? { fallbackCertificate: `${config.configDir}/certs/${cert.file.file}` } : {}),
          },
          excluded,
        );
        const secretFiles = cert?.ok ? [...build.model.secretFiles.filter((f) => f.file !== cert.file.file), cert.file] : build.model.secretFiles;
        return { text, secretFiles, ownedIngresses: build.owned, build };
      };
      // A round renders the whole snapshot; the quarantine's probes render it leaving some out.
      const render = (): RenderedConfig => {
        const full = renderWithout(new Set());
        for (const c of full.build!.conflicts) log.warn(c, 'conflicting Ingresses; the older one wins');
        for (const w of full.build!.warnings) log.warn(w, 'Ingress served with a problem');
        return full;
      };
      // Events need the live API; with --snapshot, logs, metrics and /readyz tell the same.
      const recorder = source.kubeConfig
        ? new (await import('../controller/kube-event-recorder.js')).KubeEventRecorder({ kubeConfig: source.kubeConfig, logger, instance: hostname() })
        : undefined;
      const report = new ExclusionReport({
        lookup: (namespace, name) => source.cluster.ingress(namespace, name),
        metrics,
        logger: log,
        ...(recorder ? { recorder } : {}),
      });
      const quarantine = new Quarantine({ applier, render: renderWithout, report });
      // The rendered model's endpoints and those of the model nginx serves (they differ while a
      // reload is pending, or when the quarantine left an Ingress out).
      const publishEndpoints = async (c: RenderedConfig): Promise<void> => {
        if (!publisher) return;
        const published = await publisher.publish(c.build?.model, quarantine.served?.build?.model);
        if (published.dropped > 0) log.warn({ dropped: published.dropped }, 'endpoints left out of nginx: not an IP address, or over the per-upstream limit');
      };
      const logResult = (result: QuarantineResult): void => {
        const excluded = [...result.rejected.keys()];
        if (result.status === 'applied') log.info({ checksum: result.checksum, excluded, probes: result.probes }, 'nginx reloaded');
        else if (result.status === 'rejected') log.error({ message: result.message }, 'nginx rejects the configuration even without any Ingress; the last good one keeps serving');
        else if (result.status === 'reload-failed') log.error({ message: result.message }, 'nginx did not load the new configuration');
      };

      let renderAgain = (): void => {};
      if (config.configMap) {
        if (!source.kubeConfig) throw new GatehouseError('USAGE', '--configmap needs the live API (not --snapshot)');
        const { watchConfigMap } = await import('../k8s/configmap-watch.js');
        const name = `${config.configMap.namespace}/${config.configMap.name}`;
        const live = (globalConfig = new LiveGlobalConfig({ source: name, logger, ...(recorder ? { recorder } : {}), conflicts: (g) => flagConflicts(config, g) }));
        let firstRefusal: string | undefined;
        let synced = false;
        const watch = watchConfigMap(source.kubeConfig, {
          ...config.configMap,
          logger,
          onChange: (configMap) => {
            const update = live.update(configMap);
            if (update.status === 'refused' && !synced) firstRefusal ??= refusalMessage(name, update.problems);
            if (update.status === 'applied') renderAgain();
          },
        });
        cleanups.push(() => watch.stop());
        stopWatch = () => watch.stop();
        await step(watch.whenSynced());
        synced = true;
        // At start-up there is no last good configuration to keep: the operator fixes the ConfigMap.
        if (firstRefusal !== undefined) throw new GatehouseError('CONFIGMAP', firstRefusal.replace(', the last good configuration stays in force', ''));
      }

      cleanups.push(() => runner.stop());
      await step(source.whenSynced());
      const initial = render();
      metrics.ownedIngresses.set(initial.ownedIngresses ?? 0);
      await step(publishEndpoints(initial));
      // A bad object is left out here too: a restarted controller serves everything else.
      const first = await step(quarantine.apply(initial));
      logResult(first);
      if (quarantine.served?.build) onServed(quarantine.served.build);
      await step(runner.start());
      log.info({ checksum: first.checksum }, 'nginx started');

      const reconciler = createReconciler({
        debounceMs: config.syncDelayMs,
        maxDelayMs: config.syncMaxDelayMs,
        metrics,
        render,
        apply: (c) => quarantine.apply(c),
        publishEndpoints,
        // An EndpointSlice change reaches the endpoint file without waiting for a render (which
        // still follows, at the usual delays, for upstreams on the reload path).
        ...(publisher ? { refreshEndpoints: async () => void (await publisher.refresh(source.cluster)) } : {}),
        onResult: (result) => {
          logResult(result);
          // Status is written only once nginx serves what the Ingresses ask for (never for excluded ones).
          const served = quarantine.served?.build;
          if (result.status === 'applied' && served) status?.publish(served);
          if (result.status === 'applied' && served) onServed(served);
        },
        onError: (err) => log.error({ err }, 'reconcile failed'),
      });
      const unsubscribe = source.onChange((kind) => reconciler.trigger(kind === 'EndpointSlice' && endpointChannel ? 'endpoints' : undefined));
      renderAgain = () => reconciler.trigger();

      if (source.kubeConfig) {
        // Loaded only with the live API: it pulls in @kubernetes/client-node (~80 MB of RSS).
        const { startStatusPublishing } = await import('../controller/publish-status.js');
        status = startStatusPublishing({ kubeConfig: source.kubeConfig, config, cluster: source.cluster, logger });
        const served = quarantine.served?.build;
        if (first.status !== 'rejected' && served) status.publish(served);
      }

      let webhook: ServedWebhook | undefined;
      if (config.webhook) webhook = await serveWebhook(config.webhook, source, webhookMetrics, logger);
      const health = buildHealthServer({
        ready: () => source.synced() && runner.running && applier.current !== undefined,
        notReadyReason: () => (!source.synced() ? 'informers have not synced' : 'nginx has not loaded a configuration'),
        // Still ready while Ingresses are excluded: nginx serves every other one (docs/controller.md).
        degraded: () => report.summary(),
        registry,
      });
      await listenOn(health, config.healthListen, 'health server');
      log.info({ http: config.httpListen, https: config.httpsListen, source: source.description, webhook: config.webhook?.listen }, 'controller running');

      const signal = await io.stopSignal;
      cleanups.length = 0;
      log.info({ signal }, 'shutting down: no more changes; nginx finishes its requests');
      unsubscribe();
      await stopWatch();
      await reconciler.stop();
      await status?.stop();
      await webhook?.close();
      await runner.stop();
      await health.close();
      await receiver?.stop();
      stopTrimming();
      await source.stop();
      logger.info('stopped');
      logger.flush();
      return 0;
    }
  },
};

const STOPPED = Symbol('stopped');

function stdoutIsSocket(): boolean {
  try {
    return fstatSync(1).isSocket();
  } catch {
    return false;
  }
}

/** Thrown by a start-up step when the stop signal wins the race. */
class StoppedDuringStartup extends Error {}

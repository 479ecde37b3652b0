import type { HostPort } from '../config/flags.js';
import type { RenderConfig } from '../config/controller-config.js';
import type { ClusterSnapshot } from '../k8s/snapshot.js';
import { buildModel, type BuildModelResult } from '../nginx/build-model.js';
import { renderNginxConf, type RenderOptions } from '../nginx/render.js';
import { effectiveRuleOptions } from '../configmap/effective-rules.js';

/** `host:port` as nginx's `listen` takes it (`[v6]:port`, `*:port` for all IPv4). */
export function nginxListen(hp: HostPort): string {
  if (hp.host.includes(':')) return `[${hp.host}]:${hp.port}`;
  return `${hp.host === '0.0.0.0' ? '*' : hp.host}:${hp.port}`;
}

export interface RenderedSnapshot {
  readonly build: BuildModelResult;
  readonly text: string;
}

/** Snapshot → model → nginx.conf with the operator's settings, leaving `excluded` Ingresses out. Pure. */
export function renderSnapshot(
  cluster: ClusterSnapshot,
  config: RenderConfig,
  extra: Omit<RenderOptions, 'configDir' | 'httpListen' | 'httpsListen'> = {},
  excluded?: ReadonlySet<string>,
): RenderedSnapshot {
  // The ConfigMap's annotation policy can only tighten the flags' (configmap/effective-rules.ts).
  const rules = extra.global ? effectiveRuleOptions(config.rules, extra.global) : config.rules;
  const build = buildModel(cluster, {
    ownership: config.rules.ownership,
    annotations: rules,
    hostOwnership: config.rules.hostOwnership,
    regexRedos: config.rules.regexRedos,
    ...(config.defaultBackendService ? { defaultBackendService: config.defaultBackendService } : {}),
    ...(excluded && excluded.size > 0 ? { excluded } : {}),
    ...(extra.global ? { sslRedirect: extra.global.sslRedirect } : {}),
  });
  const text = renderNginxConf(build.model, {
    configDir: config.configDir,
    httpListen: nginxListen(config.httpListen),
    httpsListen: nginxListen(config.httpsListen),
    accessLog: config.accessLog === undefined || config.accessLog === 'off' ? false : config.accessLog === 'stdout' ? 'stdout' : config.accessLog.path,
    ...(config.accessLogFormat ? { accessLogFormat: config.accessLogFormat } : {}),
    ...(config.clientIp ? { clientIp: config.clientIp } : {}),
    ...extra,
  });
  return { build, text };
}

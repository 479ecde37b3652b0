// The global configuration in force, kept from the watched ConfigMap: a refused ConfigMap leaves
// the last good configuration in force, says why once per version (log line and Warning Event on
// the ConfigMap), and ignored keys are logged once per version. Pure apart from the injected
// logger and recorder, so tests pass fakes.
import type { Logger } from 'pino';
import type { ConfigMapObject } from '../k8s/configmap-watch.js';
import type { KubeObject } from '../k8s/types.js';
import type { GlobalConfig } from './global-config.js';
import { DEFAULT_GLOBAL_CONFIG, parseConfigMap, type ConfigMapProblem } from './parse-configmap.js';

/** Where a refusal is told to the ConfigMap's owner (`kubectl describe configmap`). */
export interface ObjectEventRecorder {
  recordOn(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** Event reason on a refused ConfigMap. */
export const CONFIGMAP_REFUSED_REASON = 'ConfigMapRefused';

export type ConfigMapUpdate =
  | { readonly status: 'applied'; readonly config: GlobalConfig }
  | { readonly status: 'unchanged' }
  | { readonly status: 'refused'; readonly problems: readonly ConfigMapProblem[] };

export interface LiveGlobalConfigOptions {
  /** `namespace/name`, for messages. */
  readonly source: string;
  readonly logger: Logger;
  readonly recorder?: ObjectEventRecorder;
  /**
   * Problems of an otherwise valid configuration in combination with the controller's flags (a
   * client-IP key with a flag it cannot be rendered with): each refuses the ConfigMap like a bad value.
   */
  readonly conflicts?: (config: GlobalConfig) => readonly ConfigMapProblem[];
}

/** The refusal as one sentence (log line, Event message, start-up error). */
export function refusalMessage(source: string, problems: readonly ConfigMapProblem[]): string {
  return `ConfigMap ${source} refused, the last good configuration stays in force: ${problems.map((p) => p.message).join('; ')}`;
}

export class LiveGlobalConfig {
  private config: GlobalConfig = DEFAULT_GLOBAL_CONFIG;
  private lastVersion: string | undefined = 'none';
  private readonly log: Logger;

  constructor(private readonly opts: LiveGlobalConfigOptions) {
    this.log = opts.logger.child({ component: 'configmap', configMap: opts.source });
  }

  /** The configuration in force. */
  get current(): GlobalConfig {
    return this.config;
  }

  /** A new version of the ConfigMap (undefined: it does not exist, so every default). */
  update(configMap: ConfigMapObject | undefined): ConfigMapUpdate {
    const version = configMap ? (configMap.metadata?.resourceVersion ?? JSON.stringify(configMap.data ?? {})) : undefined;
    if (version === this.lastVersion) return { status: 'unchanged' };
    this.lastVersion = version;
    const parsed = parseConfigMap(configMap?.data);
    const problems = parsed.ok ? (this.opts.conflicts?.(parsed.config) ?? []) : parsed.problems;
    if (!parsed.ok || problems.length > 0) {
      const message = refusalMessage(this.opts.source, problems);
      this.log.error({ problems: problems.map((p) => p.message) }, message);
      if (configMap) void this.opts.recorder?.recordOn({ ...configMap, apiVersion: 'v1', kind: 'ConfigMap' }, 'Warning', CONFIGMAP_REFUSED_REASON, message);
      return { status: 'refused', problems };
    }
    if (parsed.ignored.length > 0) this.log.warn({ keys: parsed.ignored }, 'ConfigMap keys ignored: Gatehouse does not read them (docs/configmap.md)');
    this.log.info({ applied: parsed.applied, exists: configMap !== undefined }, 'global configuration from the ConfigMap');
    this.config = parsed.config;
    return { status: 'applied', config: parsed.config };
  }
}

// ConfigMap keys that override controller flags (groups/client-ip.ts, groups/access-log.ts) can be
// valid alone and unrenderable with the flags left in force: such a ConfigMap is refused like a bad
// value, so the configuration served is always one both the operator's flags and ConfigMap allow.
import type { RenderConfig } from '../config/controller-config.js';
import type { GlobalConfig } from './global-config.js';
import { accessLogConflict } from './groups/access-log.js';
import { clientIpConflict } from './groups/client-ip.js';
import type { ConfigMapProblem } from './parse-configmap.js';

/** Problems of `g` together with the flags' settings; empty when it can be rendered. */
export function flagConflicts(flags: Pick<RenderConfig, 'clientIp' | 'accessLog'>, g: GlobalConfig): ConfigMapProblem[] {
  const problems: ConfigMapProblem[] = [];
  const clientIp = clientIpConflict(flags.clientIp, g);
  if (clientIp !== undefined) problems.push({ key: 'use-forwarded-headers', message: clientIp });
  const accessLog = accessLogConflict(flags.accessLog ?? 'off', g);
  if (accessLog !== undefined) problems.push({ key: 'disable-access-log', message: accessLog });
  return problems;
}

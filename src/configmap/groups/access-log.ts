import { BOOLEAN, BOOLEAN_MAX_LENGTH, enumSchema } from '../../annotations/entry.js';
import type { AccessLogFormat, AccessLogTarget } from '../../nginx/access-log.js';
import { entry, type ConfigMapGroup } from '../entry.js';
import type { GlobalConfig } from '../global-config.js';

/**
 * The operators' access log (nginx/access-log.ts). Each key, when set, overrides the controller
 * flag; absent, the flag decides. Where the log goes (stdout or a file) stays the flag's: nginx's
 * stdout is wired when the controller starts it. The traffic log behind the metrics is not
 * affected. https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#disable-access-log
 */
export const accessLogGroup: ConfigMapGroup = {
  id: 'access-log',
  title: 'Access log',
  entries: [
    entry({
      key: 'disable-access-log',
      field: 'disableAccessLog',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: BOOLEAN_MAX_LENGTH,
      default: 'false',
      flag: 'access-log',
      doc: 'Turn the access log off (`true`), or keep it where `--access-log` sends it (`false`). Requests are still counted in the traffic metrics.',
      renders: '`access_log` (http)',
      expects: 'true or false',
      examples: ['true', 'false'],
      refused: ['off'],
      differs: '"false" with `--access-log off` is refused: there is no target to log to',
    }),
    entry({
      key: 'access-log-format',
      field: 'accessLogFormat',
      kind: 'string',
      schema: enumSchema(['json', 'combined']),
      maxLength: 8,
      default: 'json',
      flag: 'access-log-format',
      doc: "Access log lines: JSON objects (escaped with nginx's `escape=json`) or nginx's combined text.",
      renders: '`log_format`, `access_log` (http)',
      expects: 'json or combined',
      examples: ['json', 'combined'],
      refused: ['JSON', 'main'],
      differs: "Gatehouse's own key: ingress-nginx takes a format string in log-format-upstream, which Gatehouse does not read",
    }),
  ],
};

/** The access log in force: the flags' target and format, with the ConfigMap's keys over them. */
export function accessLogWith(target: AccessLogTarget, format: AccessLogFormat, g: GlobalConfig): { readonly target: AccessLogTarget; readonly format: AccessLogFormat } {
  return { target: g.disableAccessLog === true ? 'off' : target, format: g.accessLogFormat ?? format };
}

/** Why the ConfigMap's access-log keys cannot be honoured with this flag target, else undefined. */
export function accessLogConflict(target: AccessLogTarget, g: GlobalConfig): string | undefined {
  if (g.disableAccessLog === false && target === 'off') return 'disable-access-log "false" asks for an access log, but --access-log is off: there is no target to write it to';
  return undefined;
}

import { BOOLEAN, BOOLEAN_MAX_LENGTH, type AnnotationEntry } from '../entry.js';
import { ACCESS_LOG_OFF_LINE } from '../../nginx/access-log.js';
import { defineFeature } from '../feature.js';

/** The per-location access log switch (ingress-nginx internal/ingress/annotations/log). */
export const ACCESS_LOG_ANNOTATIONS = [
  {
    key: 'enable-access-log',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: '`false`: requests to the Ingress are left out of the controller\'s access log (default true); they are still counted in the traffic metrics.',
    differs: 'An HTTP→HTTPS redirect (ssl-redirect) of such an Ingress is still logged.',
    expects: '"true" or "false"',
    examples: ['false', 'true'],
  },
] as const satisfies readonly AnnotationEntry[];

/** Whether the Ingress's locations write the access log. */
export interface AccessLogConfig {
  readonly enabled: boolean;
}

export const accessLogFeature = defineFeature({
  id: 'access-log',
  entries: ACCESS_LOG_ANNOTATIONS,
  parse(read): AccessLogConfig | undefined {
    const enabled = read.bool('enable-access-log');
    return enabled === undefined ? undefined : { enabled };
  },
  location(c) {
    // `true` keeps whatever the controller logs (its --access-log, inherited from `http`).
    // `false` leaves the requests out of the access log only: they are still counted in the
    // traffic metrics, as ingress-nginx counts them (nginx/access-log.ts). A rewrite-phase `set`,
    // so this feature comes first in FEATURES: a `return` before it would skip it.
    return c.enabled ? {} : { rewrite: [ACCESS_LOG_OFF_LINE] };
  },
});

import { BOOLEAN, BOOLEAN_MAX_LENGTH, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

/** What the annotations say; whether a location redirects also depends on its host being in spec.tls (nginx/build-model.ts). */
export interface SslRedirectConfig {
  /** ssl-redirect as written; undefined = the default, on for TLS hosts. */
  readonly sslRedirect?: boolean;
  readonly force: boolean;
}

/** HTTP → HTTPS redirects (308). */
export const sslRedirectFeature = defineFeature({
  id: 'ssl-redirect',
  entries: [
  {
    key: 'ssl-redirect',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Redirect HTTP to HTTPS (308) on hosts listed in spec.tls; on by default there, "false" turns it off.',
    expects: '"true" or "false"',
    examples: ['false', 'true'],
  },
  {
    key: 'force-ssl-redirect',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'medium',
    doc: 'Redirect HTTP to HTTPS even when the host has no spec.tls entry (TLS terminated in front of nginx).',
    expects: '"true" or "false"',
    examples: ['true'],
  },
  ] as const satisfies readonly AnnotationEntry[],
  parse(read): SslRedirectConfig | undefined {
    const sslRedirect = read.bool('ssl-redirect');
    const force = read.bool('force-ssl-redirect') === true;
    if (sslRedirect === undefined && !force) return undefined;
    return { ...(sslRedirect !== undefined ? { sslRedirect } : {}), force };
  },
});

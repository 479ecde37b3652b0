import { BOOLEAN, BOOLEAN_MAX_LENGTH, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

/** What the annotations say; whether a location redirects also depends on its host being in spec.tls (nginx/build-model.ts). */
export interface SslRedirectConfig {
  /** ssl-redirect as written; undefined = the default, on for TLS hosts. */
  readonly sslRedirect?: boolean;
  readonly force: boolean;
  /** preserve-trailing-slash "false": the redirect drops a trailing `/` of the request URI. */
  readonly dropTrailingSlash?: true;
}

/** `$request_uri` without its last character when that is `/` (ingress-nginx's lua_ingress.lua does the same). */
export const URI_WITHOUT_TRAILING_SLASH = '$gh_uri_without_trailing_slash';

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
  {
    key: 'preserve-trailing-slash',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Whether the HTTPS redirect keeps a trailing slash of the request URI; "false" drops it (`/app/` → `https://host/app`).',
    differs: 'Gatehouse keeps the trailing slash unless this is "false"; ingress-nginx drops it unless this is "true".',
    expects: '"true" or "false"',
    examples: ['false', 'true'],
  },
  ] as const satisfies readonly AnnotationEntry[],
  parse(read): SslRedirectConfig | undefined {
    const sslRedirect = read.bool('ssl-redirect');
    const force = read.bool('force-ssl-redirect') === true;
    const drop = read.bool('preserve-trailing-slash') === false;
    if (sslRedirect === undefined && !force && !drop) return undefined;
    return { ...(sslRedirect !== undefined ? { sslRedirect } : {}), force, ...(drop ? { dropTrailingSlash: true as const } : {}) };
  },
  /** Evaluated only by the redirect's `return`, so its regex captures clobber no rewrite's. */
  http(c) {
    if (c.dropTrailingSlash !== true) return [];
    return [`map $request_uri ${URI_WITHOUT_TRAILING_SLASH} {`, '    "~^(?<gh_uri_head>.*)/$" $gh_uri_head;', '    default $request_uri;', '}'];
  },
});

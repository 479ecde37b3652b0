import { BOOLEAN, BOOLEAN_MAX_LENGTH, listSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { optional } from '../optional.js';

/** A DNS name, no wildcard. */
const DNS_NAME = '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';

/**
 * Names besides the Ingress's hosts that reach its servers. They are host claims: nginx/build-model.ts
 * serves one only where no Ingress has it as a host and no older Ingress has it as an alias, and
 * reports a conflict otherwise; rules/host-ownership.ts denies an alias another Ingress has as its host.
 */
export const HOST_NAME_ANNOTATIONS = [
  {
    key: 'server-alias',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', pattern: DNS_NAME }, 16),
    maxLength: 2048,
    risk: 'medium',
    doc: 'More host names for the servers of the Ingress\'s hosts (`server_name`). A name that is the host of an Ingress, or an alias of an older one, is not taken (the webhook denies the first case; the controller reports a conflict).',
    differs: 'Only plain DNS names (no wildcard or regex), at most 16; an alias is a host claim, so one already used as a host is denied instead of skipped silently.',
    expects: 'host names like www.example.com separated by commas',
    examples: ['www.example.com', 'a.example.com, b.example.com'],
  },
  {
    key: 'from-to-www-redirect',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Answer `www.<host>` with a 308 redirect to `<host>` (or `<host>` to `www.<host>` when the Ingress has the www name), unless that name is the host of an Ingress.',
    differs: 'The redirect keeps the request URI as sent (ingress-nginx drops a trailing slash) and the port the client used; HTTPS on the other name uses the host\'s certificate.',
    expects: '"true" or "false"',
    examples: ['true', 'false'],
  },
] as const satisfies readonly AnnotationEntry[];

export interface HostNamesConfig {
  /** Lowercase DNS names, sorted, without duplicates. */
  readonly aliases?: readonly string[];
  readonly wwwRedirect?: true;
}

export const hostNamesFeature = defineFeature({
  id: 'host-names',
  entries: HOST_NAME_ANNOTATIONS,
  parse(read): HostNamesConfig | undefined {
    const aliases = read.list('server-alias', 'host');
    const config: HostNamesConfig = {
      ...optional('aliases', aliases && [...new Set(aliases)].sort()),
      ...optional('wwwRedirect', read.bool('from-to-www-redirect') === true ? (true as const) : undefined),
    };
    return Object.keys(config).length > 0 ? config : undefined;
  },
});

/** The other name of a from-to-www redirect: `www.` added or removed, as ingress-nginx does. */
export function wwwCounterpart(host: string): string | undefined {
  if (host === '' || host.startsWith('*.')) return undefined;
  return host.startsWith('www.') ? host.slice(4) : `www.${host}`;
}

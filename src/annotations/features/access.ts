import { enumSchema, listSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

const SOURCE_RANGES = listSchema({ type: 'string', format: 'ip-or-cidr' }, 1000);
const EXPECTS = 'IPv4/IPv6 addresses or CIDR ranges separated by commas, like 10.0.0.0/8, 2001:db8::/32';

/** Client address allow- and deny-lists (nginx `allow`/`deny`), and how they combine with authentication. */
export const ACCESS_ANNOTATIONS = [
  {
    key: 'allowlist-source-range',
    controller: 'renders',
    kind: 'list',
    schema: SOURCE_RANGES,
    maxLength: 32768,
    // Medium as in ingress-nginx: a mistake here opens or closes access.
    risk: 'medium',
    doc: 'Only clients from these addresses/ranges are served; others get 403. Takes precedence over whitelist-source-range.',
    expects: EXPECTS,
    examples: ['10.0.0.0/8, 192.168.0.0/16', '2001:db8::/32', '203.0.113.7'],
  },
  {
    key: 'whitelist-source-range',
    controller: 'renders',
    kind: 'list',
    schema: SOURCE_RANGES,
    maxLength: 32768,
    risk: 'medium',
    doc: 'Older name of allowlist-source-range; ignored when allowlist-source-range is set.',
    expects: EXPECTS,
    examples: ['10.0.0.0/8, 192.168.0.0/16', '2001:db8::/32'],
  },
  {
    key: 'denylist-source-range',
    controller: 'renders',
    kind: 'list',
    schema: SOURCE_RANGES,
    maxLength: 32768,
    risk: 'medium',
    doc: 'Clients from these addresses/ranges get 403; others are served. Checked before the allow-list: a client in both is denied.',
    expects: EXPECTS,
    examples: ['203.0.113.0/24', '10.0.0.0/8, 2001:db8::/32'],
  },
  {
    key: 'satisfy',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(['any', 'all']),
    maxLength: 3,
    risk: 'low',
    doc: '`all` (default): a request must pass the source ranges and authentication; `any`: passing either is enough (nginx `satisfy`).',
    expects: '"any" or "all"',
    examples: ['any', 'all'],
  },
] as const satisfies readonly AnnotationEntry[];

/** Client addresses denied and allowed (each sorted), and nginx's `satisfy`. */
export interface SourceRangeConfig {
  readonly deny: readonly string[];
  /** Empty: every client not denied is allowed. */
  readonly allow: readonly string[];
  readonly satisfy?: 'any' | 'all';
}

export const accessFeature = defineFeature({
  id: 'access',
  entries: ACCESS_ANNOTATIONS,
  check(values) {
    if (values['allowlist-source-range'] === undefined || values['whitelist-source-range'] === undefined) return [];
    return [{ key: 'whitelist-source-range', severity: 'warn', drop: true, message: 'ignored: nginx.ingress.kubernetes.io/allowlist-source-range is also set and takes precedence' }];
  },
  parse(read): SourceRangeConfig | undefined {
    const allow = read.list('allowlist-source-range', 'cidr') ?? read.list('whitelist-source-range', 'cidr') ?? [];
    const deny = read.list('denylist-source-range', 'cidr') ?? [];
    const satisfy = read.oneOf('satisfy', ['any', 'all']);
    if (allow.length === 0 && deny.length === 0 && satisfy === undefined) return undefined;
    return { deny: [...deny].sort(), allow: [...allow].sort(), ...(satisfy ? { satisfy } : {}) };
  },
  location(c) {
    // nginx checks allow/deny in order, first match wins: denied ranges first, as ingress-nginx
    // renders them, so a client in both lists is denied.
    // https://nginx.org/en/docs/http/ngx_http_access_module.html
    return {
      directives: [
        ...c.deny.map((cidr) => `deny ${cidr};`),
        ...c.allow.map((cidr) => `allow ${cidr};`),
        ...(c.allow.length > 0 ? ['deny all;'] : []),
        ...(c.satisfy ? [`satisfy ${c.satisfy};`] : []),
      ],
    };
  },
});

import { listSchema, unimplemented, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

const SOURCE_RANGES = listSchema({ type: 'string', format: 'ip-or-cidr' }, 1000);
const EXPECTS = 'IPv4/IPv6 addresses or CIDR ranges separated by commas, like 10.0.0.0/8, 2001:db8::/32';

/** Client address allow-lists (nginx `allow` + `deny all`). */
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
] as const satisfies readonly AnnotationEntry[];

/** Access control the controller does not render: serving without it would admit clients it should not. */
export const ACCESS_UNIMPLEMENTED = [
  ...unimplemented('refuses', 'a client deny-list', ['denylist-source-range']),
  ...unimplemented('refuses', 'combining authentication and source ranges (satisfy)', ['satisfy']),
];

/** Client addresses allowed (sorted); everything else gets 403. */
export interface SourceRangeConfig {
  readonly allow: readonly string[];
}

export const accessFeature = defineFeature({
  id: 'access',
  entries: ACCESS_ANNOTATIONS,
  unimplemented: ACCESS_UNIMPLEMENTED,
  check(values) {
    if (values['allowlist-source-range'] === undefined || values['whitelist-source-range'] === undefined) return [];
    return [{ key: 'whitelist-source-range', severity: 'warn', drop: true, message: 'ignored: nginx.ingress.kubernetes.io/allowlist-source-range is also set and takes precedence' }];
  },
  parse(read): SourceRangeConfig | undefined {
    const allow = read.list('allowlist-source-range', 'cidr') ?? read.list('whitelist-source-range', 'cidr');
    return allow ? { allow: [...allow].sort() } : undefined;
  },
  location(c) {
    return { directives: [...c.allow.map((cidr) => `allow ${cidr};`), 'deny all;'] };
  },
});

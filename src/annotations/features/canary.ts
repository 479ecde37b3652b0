import { BOOLEAN, BOOLEAN_MAX_LENGTH, integerSchema, patternSchema, unimplemented, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

// Not rendered yet: serving a canary Ingress as a plain one would send all of its host+path's
// traffic to the canary, or fight the main Ingress for the route.
const NOT_IMPLEMENTED = { controller: 'refuses', feature: 'canary traffic splitting' } as const;
const NEEDS_CANARY = { key: 'canary', equals: true } as const;

/** Canary Ingresses: a second Ingress for the same host+path takes part of the traffic. */
export const CANARY_ANNOTATIONS = [
  {
    key: 'canary',
    ...NOT_IMPLEMENTED,
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'This Ingress is the canary of the main Ingress serving the same host and path (no conflict).',
    expects: '"true" or "false"',
    examples: ['true'],
  },
  {
    key: 'canary-weight',
    ...NOT_IMPLEMENTED,
    kind: 'integer',
    schema: integerSchema(0, 100000),
    maxLength: 6,
    risk: 'low',
    doc: 'Share of requests (out of canary-weight-total) sent to the canary.',
    expects: 'a whole number from 0 to canary-weight-total (100 by default)',
    examples: ['10', '0', '100'],
    requires: NEEDS_CANARY,
  },
  {
    key: 'canary-weight-total',
    ...NOT_IMPLEMENTED,
    kind: 'integer',
    schema: integerSchema(1, 100000),
    maxLength: 6,
    risk: 'low',
    doc: 'Total that canary-weight is a share of (default 100).',
    expects: 'a whole number from 1 to 100000',
    examples: ['1000', '100'],
    requires: NEEDS_CANARY,
  },
  {
    key: 'canary-by-header',
    ...NOT_IMPLEMENTED,
    kind: 'string',
    // Letters, digits and `-`: nginx drops headers with `_` by default (underscores_in_headers).
    schema: patternSchema('^[A-Za-z0-9-]+$', 128),
    maxLength: 128,
    risk: 'low',
    doc: 'Request header that routes to the canary: `always` → canary, `never` → main (or canary-by-header-value).',
    expects: 'a header name of letters, digits and - (at most 128)',
    examples: ['X-Canary'],
    requires: NEEDS_CANARY,
  },
  {
    key: 'canary-by-header-value',
    ...NOT_IMPLEMENTED,
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9._~+=/:@-]+$', 256),
    maxLength: 256,
    risk: 'medium',
    doc: 'Value of canary-by-header that routes to the canary.',
    expects: 'letters, digits and . _ ~ + = / : @ - (at most 256)',
    examples: ['beta', 'user-42'],
    requires: { key: 'canary-by-header' },
  },
  {
    key: 'canary-by-cookie',
    ...NOT_IMPLEMENTED,
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9_]+$', 64),
    maxLength: 64,
    risk: 'low',
    doc: 'Cookie that routes to the canary: `always` → canary, `never` → main.',
    expects: 'a cookie name of letters, digits and _ (at most 64)',
    examples: ['canary_user'],
    requires: NEEDS_CANARY,
  },
] as const satisfies readonly AnnotationEntry[];

export const CANARY_UNIMPLEMENTED = [
  ...unimplemented('refuses', NOT_IMPLEMENTED.feature, ['canary-by-header-pattern']),
  // Only changes how a canary keeps sessions; without canaries it has nothing to act on.
  ...unimplemented('ignores', 'canary session affinity behaviour', ['affinity-canary-behavior']),
];

export const canaryFeature = defineFeature({
  id: 'canary',
  check(values) {
    const weight = values['canary-weight'];
    const total = typeof values['canary-weight-total'] === 'number' ? values['canary-weight-total'] : 100;
    if (typeof weight !== 'number' || weight <= total) return [];
    return [{ key: 'canary-weight', severity: 'deny', drop: true, message: `invalid value "${weight}": must be at most canary-weight-total (${total})` }];
  },
  entries: CANARY_ANNOTATIONS,
  unimplemented: CANARY_UNIMPLEMENTED,
});

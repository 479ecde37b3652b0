import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/** Logging and tracing switches the controller does not render (enable-access-log: features/access-log.ts). */
export const OBSERVABILITY_UNIMPLEMENTED = unimplemented('ignores', 'per-Ingress logging and tracing', [
  'enable-rewrite-log',
  'enable-opentelemetry',
  'opentelemetry-trust-incoming-span',
  'opentelemetry-operation-name',
], 'Harmless to traffic: requests are routed and served the same; nginx writes no rewrite debug log and no traces.');

export const observabilityFeature = defineFeature({
  id: 'observability',
  entries: [],
  unimplemented: OBSERVABILITY_UNIMPLEMENTED,
});

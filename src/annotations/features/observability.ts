import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/** Logging and tracing switches: the controller keeps its own access log and has no tracing. */
export const OBSERVABILITY_UNIMPLEMENTED = unimplemented('ignores', 'per-Ingress logging and tracing', [
  'enable-access-log',
  'enable-rewrite-log',
  'enable-opentelemetry',
  'opentelemetry-trust-incoming-span',
  'opentelemetry-operation-name',
]);

export const observabilityFeature = defineFeature({
  id: 'observability',
  entries: [],
  unimplemented: OBSERVABILITY_UNIMPLEMENTED,
});

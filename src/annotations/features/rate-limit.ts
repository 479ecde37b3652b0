import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Rate and connection limits, not rendered yet: serving the Ingress without them would take
 * unlimited requests. https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#rate-limiting
 * (`global-rate-limit*` are from ingress-nginx releases before 1.12, still found in manifests).
 */
export const RATE_LIMIT_UNIMPLEMENTED = unimplemented('refuses', 'rate limiting', [
  'limit-connections',
  'limit-rps',
  'limit-rpm',
  'limit-burst-multiplier',
  'limit-rate',
  'limit-rate-after',
  'limit-whitelist',
  'limit-allowlist',
  'global-rate-limit',
  'global-rate-limit-window',
  'global-rate-limit-key',
  'global-rate-limit-ignored-cidrs',
]);

export const rateLimitFeature = defineFeature({
  id: 'rate-limit',
  entries: [],
  unimplemented: RATE_LIMIT_UNIMPLEMENTED,
});

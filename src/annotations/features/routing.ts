import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Routing extras the controller does not render. Without them the Ingress serves the same clients
 * from the same backends, with less (no mirror copies, default balancing), never
 * more. Custom error pages and per-Ingress default backends: features/custom-errors.ts; alias hosts: host-names.ts; X-Forwarded-Prefix: upstream-headers.ts.
 */
export const ROUTING_UNIMPLEMENTED = [
  ...unimplemented('ignores', 'request mirroring', ['mirror-target', 'mirror-request-body', 'mirror-host']),
  // FastCGI needs backend-protocol FCGI, which the catalog refuses.
  ...unimplemented('ignores', 'FastCGI parameters', ['fastcgi-index', 'fastcgi-params-configmap']),
  ...unimplemented('ignores', 'HTTP/2 push', ['http2-push-preload']),
];

export const routingFeature = defineFeature({
  id: 'routing',
  entries: [],
  unimplemented: ROUTING_UNIMPLEMENTED,
});

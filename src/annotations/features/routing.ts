import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Routing extras the controller does not render. Without them the Ingress serves the same clients
 * from the same backends, with less (no mirror copies, default balancing), never
 * more. Custom error pages and per-Ingress default backends: features/custom-errors.ts; alias hosts: host-names.ts; X-Forwarded-Prefix: upstream-headers.ts.
 */
export const ROUTING_UNIMPLEMENTED = [
  ...unimplemented('ignores', 'request mirroring', ['mirror-target', 'mirror-request-body', 'mirror-host'], 'Harmless to clients: they are served as before; no copy of their requests is sent to the mirror.'),
  // FastCGI needs backend-protocol FCGI, which the catalog refuses.
  ...unimplemented('ignores', 'FastCGI parameters', ['fastcgi-index', 'fastcgi-params-configmap'], 'No effect without backend-protocol FCGI, which is refused.'),
  ...unimplemented('ignores', 'HTTP/2 push', ['http2-push-preload'], 'Harmless: browsers no longer accept HTTP/2 server push; nginx 1.25 removed it.'),
];

export const routingFeature = defineFeature({
  id: 'routing',
  entries: [],
  unimplemented: ROUTING_UNIMPLEMENTED,
});

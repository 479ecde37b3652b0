import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Routing extras the controller does not render. Without them the Ingress serves the same clients
 * from the same backends, with less (no mirror copies, no fallback backend, default
 * balancing), never more. Alias hosts: host-names.ts. custom-http-errors is refused: it hides the backend's own error pages,
 * which may show internals.
 */
export const ROUTING_UNIMPLEMENTED = [
  ...unimplemented('ignores', 'a per-Ingress default backend', ['default-backend', 'disable-proxy-intercept-errors']),
  ...unimplemented('refuses', 'replacing backend error pages', ['custom-http-errors']),
  ...unimplemented('ignores', 'request mirroring', ['mirror-target', 'mirror-request-body', 'mirror-host']),
  ...unimplemented('ignores', 'load-balancing choices', [
    'load-balance',
    'upstream-hash-by',
    'upstream-hash-by-subset',
    'upstream-hash-by-subset-size',
  ]),
  // FastCGI needs backend-protocol FCGI, which the catalog refuses.
  ...unimplemented('ignores', 'FastCGI parameters', ['fastcgi-index', 'fastcgi-params-configmap']),
  ...unimplemented('ignores', 'HTTP/2 push', ['http2-push-preload']),
];

export const routingFeature = defineFeature({
  id: 'routing',
  entries: [],
  unimplemented: ROUTING_UNIMPLEMENTED,
});

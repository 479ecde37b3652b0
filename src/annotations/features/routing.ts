import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Routing extras the controller does not render. Without them the Ingress serves the same clients
 * from the same backends, with less (no alias hosts, no mirror copies, no fallback backend, default
 * balancing), never more. custom-http-errors is refused: it hides the backend's own error pages,
 * which may show internals.
 */
export const ROUTING_UNIMPLEMENTED = [
  ...unimplemented('ignores', 'extra host names', ['server-alias']),
  ...unimplemented('ignores', 'a per-Ingress default backend', ['default-backend', 'disable-proxy-intercept-errors']),
  ...unimplemented('refuses', 'replacing backend error pages', ['custom-http-errors']),
  ...unimplemented('ignores', 'request mirroring', ['mirror-target', 'mirror-request-body', 'mirror-host']),
  ...unimplemented('ignores', 'the X-Forwarded-Prefix header', ['x-forwarded-prefix']),
  // FastCGI needs backend-protocol FCGI, which the catalog refuses.
  ...unimplemented('ignores', 'FastCGI parameters', ['fastcgi-index', 'fastcgi-params-configmap']),
  ...unimplemented('ignores', 'HTTP/2 push', ['http2-push-preload']),
];

export const routingFeature = defineFeature({
  id: 'routing',
  entries: [],
  unimplemented: ROUTING_UNIMPLEMENTED,
});

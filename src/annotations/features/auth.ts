import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Authentication, not rendered yet: serving the Ingress without it would answer unauthenticated
 * requests. https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#authentication
 * and #external-authentication.
 */
export const AUTH_UNIMPLEMENTED = [
  ...unimplemented('refuses', 'external authentication', [
    'auth-url',
    'auth-signin',
    'auth-signin-redirect-param',
    'auth-method',
    'auth-response-headers',
    'auth-proxy-set-headers',
    'auth-request-redirect',
    'auth-cache-key',
    'auth-cache-duration',
    'auth-always-set-cookie',
    'auth-keepalive',
    'auth-keepalive-requests',
    'auth-keepalive-share-vars',
    'auth-keepalive-timeout',
  ]),
  ...unimplemented('refuses', 'basic/digest authentication', ['auth-type', 'auth-secret', 'auth-secret-type', 'auth-realm']),
  // Opts an Ingress out of the ConfigMap's global-auth-url; the controller has no global auth.
  ...unimplemented('ignores', 'global external authentication', ['enable-global-auth']),
];

export const authFeature = defineFeature({
  id: 'auth',
  entries: [],
  unimplemented: AUTH_UNIMPLEMENTED,
});

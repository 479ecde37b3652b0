import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/**
 * Authentication settings not rendered (external-auth.ts and basic-auth.ts render the rest):
 * serving the Ingress without them would answer requests they should refuse or change.
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#external-authentication
 */
export const AUTH_UNIMPLEMENTED = [
  ...unimplemented('refuses', 'external authentication', [
    'auth-proxy-set-headers',
    'auth-always-set-cookie',
    'auth-keepalive',
    'auth-keepalive-requests',
    'auth-keepalive-share-vars',
    'auth-keepalive-timeout',
  ]),
  // Caching is not rendered: ingress-nginx builds the key in Lua, and a key without the client's
  // credentials would let one client's approval admit the next. Refused, as every auth-* setting
  // the controller does not render (a test keeps that policy).
  ...['auth-cache-key', 'auth-cache-duration'].map((key) => ({
    key,
    controller: 'refuses' as const,
    feature: 'caching external authentication responses',
    differs: 'Refused: plain nginx cannot build ingress-nginx\'s cache key (Lua), and a key without the client\'s credentials would let one client\'s approval admit others; remove it to have every request checked.',
  })),
  // Opts an Ingress out of the ConfigMap's global-auth-url; the controller has no global auth.
  ...unimplemented('ignores', 'global external authentication', ['enable-global-auth'], 'Harmless: Gatehouse has no global authentication to opt out of (the ConfigMap refuses global-auth-*).'),
];

export const authFeature = defineFeature({
  id: 'auth',
  entries: [],
  unimplemented: AUTH_UNIMPLEMENTED,
});

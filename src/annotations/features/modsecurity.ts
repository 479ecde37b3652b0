import { unimplemented } from '../entry.js';
import { defineFeature } from '../feature.js';

/** The ModSecurity web application firewall, not in the controller's nginx: serving without it drops the WAF. */
export const MODSECURITY_UNIMPLEMENTED = unimplemented('refuses', 'the ModSecurity web application firewall', [
  'enable-modsecurity',
  'enable-owasp-core-rules',
  'modsecurity-transaction-id',
]);

export const modsecurityFeature = defineFeature({
  id: 'modsecurity',
  entries: [],
  unimplemented: MODSECURITY_UNIMPLEMENTED,
});

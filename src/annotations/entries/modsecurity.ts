import { unimplemented } from '../entry.js';

/** The ModSecurity web application firewall, not in the controller's nginx: serving without it drops the WAF. */
export const MODSECURITY_UNIMPLEMENTED = unimplemented('refuses', 'the ModSecurity web application firewall', [
  'enable-modsecurity',
  'enable-owasp-core-rules',
  'modsecurity-transaction-id',
]);

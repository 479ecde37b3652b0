import { SNIPPET, SNIPPET_MAX_LENGTH, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

// Not rendered: the controller has no place for raw configuration, and dropping it would serve
// the Ingress without whatever the snippet enforced.
const NOT_IMPLEMENTED = { controller: 'refuses', feature: 'raw nginx configuration (snippets)' } as const;
const EXPECTS = 'nginx configuration text (at most 8192 characters, ASCII)';

/**
 * Raw nginx configuration: the injection surface of CVE-2021-25742 and IngressNightmare. Critical,
 * and denied unless `--allow-snippet-annotations` and `--annotations-risk-level critical`; even
 * then denied, as the bundled controller does not render them. Any other key ending in `-snippet`
 * is treated the same way by the annotations rule.
 */
export const SNIPPET_ANNOTATIONS = [
  {
    key: 'configuration-snippet',
    ...NOT_IMPLEMENTED,
    kind: 'snippet',
    schema: SNIPPET,
    charset: 'nginx-config',
    maxLength: SNIPPET_MAX_LENGTH,
    risk: 'critical',
    doc: 'nginx directives added to each location of the Ingress.',
    expects: EXPECTS,
    examples: ['more_set_headers "X-Frame-Options: DENY";'],
  },
  {
    key: 'server-snippet',
    ...NOT_IMPLEMENTED,
    kind: 'snippet',
    schema: SNIPPET,
    charset: 'nginx-config',
    maxLength: SNIPPET_MAX_LENGTH,
    risk: 'critical',
    doc: 'nginx directives added to the server block of each host of the Ingress.',
    expects: EXPECTS,
    examples: ['location = /healthz { return 200; }'],
  },
  {
    key: 'auth-snippet',
    ...NOT_IMPLEMENTED,
    kind: 'snippet',
    schema: SNIPPET,
    charset: 'nginx-config',
    maxLength: SNIPPET_MAX_LENGTH,
    risk: 'critical',
    doc: 'nginx directives added to the external-authentication location.',
    expects: EXPECTS,
    examples: ['proxy_set_header X-Auth-Extra 1;'],
  },
  {
    key: 'stream-snippet',
    ...NOT_IMPLEMENTED,
    kind: 'snippet',
    schema: SNIPPET,
    charset: 'nginx-config',
    maxLength: SNIPPET_MAX_LENGTH,
    risk: 'critical',
    doc: 'nginx directives added to the stream (TCP/UDP) block.',
    expects: EXPECTS,
    examples: ['server { listen 9000; proxy_pass 127.0.0.1:9001; }'],
  },
  {
    key: 'modsecurity-snippet',
    ...NOT_IMPLEMENTED,
    kind: 'snippet',
    schema: SNIPPET,
    charset: 'nginx-config',
    maxLength: SNIPPET_MAX_LENGTH,
    risk: 'critical',
    doc: 'ModSecurity rules added to each location of the Ingress.',
    expects: EXPECTS,
    examples: ['SecRuleEngine On'],
  },
] as const satisfies readonly AnnotationEntry[];

export const snippetsFeature = defineFeature({
  id: 'snippets',
  entries: SNIPPET_ANNOTATIONS,
});

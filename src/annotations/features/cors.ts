import { regexLiteral } from '../../nginx/escape.js';
import { NGINX_MAX_PARAMETER_LENGTH, parameterLengthProblem } from '../../nginx/parameter-length.js';
import { BOOLEAN, BOOLEAN_MAX_LENGTH, integerSchema, listSchema, type AnnotationEntry } from '../entry.js';
import { quoted } from '../../nginx/escape.js';
import { defineFeature } from '../feature.js';

const NEEDS_CORS = { key: 'enable-cors', equals: true } as const;

/**
 * The regex `$http_origin` must match for a list of origins (nginx/render-location.ts renders it
 * as `if ($http_origin ~* "<regex>")`): the origins exactly, a leading `*.` standing for one DNS
 * label. One parameter in nginx.conf, so its length is bounded by nginx's parser.
 */
export function corsOriginRegex(origins: readonly string[]): string {
  return `^(${origins.map((o) => regexLiteral(o).replace(/\\\*\\\./g, '[^.]+\\.')).join('|')})$`;
}

/** Refuses an origin list whose regex nginx could not read (ingress-nginx renders the same single regex). */
function originsFit(origins: unknown): string | undefined {
  const problem = Array.isArray(origins) ? parameterLengthProblem(corsOriginRegex(origins as string[])) : undefined;
  return problem && `the origins make one regex ${problem}; list fewer origins or cover subdomains with one https://*.example.com`;
}

/** Cross-origin resource sharing. https://fetch.spec.whatwg.org/#http-cors-protocol */
export const CORS_ANNOTATIONS = [
  {
    key: 'enable-cors',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Answer CORS preflights and add CORS headers to responses.',
    expects: '"true" or "false"',
    examples: ['true'],
  },
  {
    key: 'cors-allow-origin',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', format: 'cors-origin' }, 100),
    maxLength: 8192,
    fits: originsFit,
    risk: 'medium',
    doc: 'Origins allowed (`Access-Control-Allow-Origin`); `*` for any. A leading `*.` label matches one subdomain level.',
    expects: '* or origins like https://example.com, https://*.example.com:8443 or app://localhost separated by commas',
    examples: ['https://example.com', '*', 'https://a.example.com, https://*.example.org:8443'],
    requires: NEEDS_CORS,
  },
  {
    key: 'cors-allow-methods',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', pattern: '^[A-Za-z]{1,20}$' }, 32),
    maxLength: 512,
    risk: 'medium',
    doc: 'Methods allowed (`Access-Control-Allow-Methods`).',
    expects: 'HTTP methods like GET, PUT, POST separated by commas',
    examples: ['GET, PUT, POST, DELETE, PATCH, OPTIONS', 'GET'],
    requires: NEEDS_CORS,
  },
  {
    key: 'cors-allow-headers',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' }, 100),
    // Rendered joined by commas, never longer than the raw value: one nginx parameter.
    maxLength: NGINX_MAX_PARAMETER_LENGTH,
    risk: 'medium',
    doc: 'Request headers allowed (`Access-Control-Allow-Headers`).',
    expects: 'header names like X-Forwarded-For, Authorization separated by commas',
    examples: ['DNT, Authorization, Content-Type', 'X-Custom-Header'],
    requires: NEEDS_CORS,
  },
  {
    key: 'cors-expose-headers',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', pattern: '^(?:[A-Za-z0-9_-]{1,128}|\\*)$' }, 100),
    // Rendered joined by commas, never longer than the raw value: one nginx parameter.
    maxLength: NGINX_MAX_PARAMETER_LENGTH,
    risk: 'medium',
    doc: 'Response headers scripts may read (`Access-Control-Expose-Headers`); `*` for all.',
    expects: '* or header names like X-Request-Id separated by commas',
    examples: ['X-Request-Id, X-Trace-Id', '*'],
    requires: NEEDS_CORS,
  },
  {
    key: 'cors-allow-credentials',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: 'Send `Access-Control-Allow-Credentials: true` (default true, as in ingress-nginx).',
    expects: '"true" or "false"',
    examples: ['false', 'true'],
    requires: NEEDS_CORS,
  },
  {
    key: 'cors-max-age',
    controller: 'renders',
    kind: 'integer',
    schema: integerSchema(0, 86400),
    maxLength: 5,
    risk: 'low',
    doc: 'Seconds browsers may cache a preflight answer (`Access-Control-Max-Age`).',
    expects: 'whole seconds from 0 to 86400',
    examples: ['600', '86400'],
    requires: NEEDS_CORS,
  },
] as const satisfies readonly AnnotationEntry[];

/** ingress-nginx's CORS defaults. https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#enable-cors */
const CORS_DEFAULTS = {
  methods: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
  headers: 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
  maxAge: 1728000,
};

export interface CorsConfig {
  /** `*`, or origins (`https://a.com`, `https://*.b.com`); the request's Origin is echoed if listed. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly allowCredentials: boolean;
  readonly exposeHeaders?: string;
  readonly maxAge: number;
}

function corsLines(cors: CorsConfig): string[] {
  const lines: string[] = [];
  if (cors.allowOrigins.length === 1) {
    lines.push(`set $gh_cors_origin ${quoted(cors.allowOrigins[0]!)};`);
  } else {
    // originsFit refused lists whose regex is too long for nginx.
    lines.push('set $gh_cors_origin "";', `if ($http_origin ~* ${quoted(corsOriginRegex(cors.allowOrigins))}) {`, '    set $gh_cors_origin $http_origin;', '}');
  }
  const headers = [
    `add_header Access-Control-Allow-Origin $gh_cors_origin always;`,
    `add_header Access-Control-Allow-Methods ${quoted(cors.allowMethods)} always;`,
    `add_header Access-Control-Allow-Headers ${quoted(cors.allowHeaders)} always;`,
    ...(cors.allowCredentials ? ['add_header Access-Control-Allow-Credentials "true" always;'] : []),
    ...(cors.exposeHeaders ? [`add_header Access-Control-Expose-Headers ${quoted(cors.exposeHeaders)} always;`] : []),
  ];
  // Preflight answered here, without the backend (as ingress-nginx does).
  lines.push(
    'if ($request_method = OPTIONS) {',
    ...headers.map((h) => `    ${h}`),
    `    add_header Access-Control-Max-Age ${cors.maxAge};`,
    '    add_header Content-Type "text/plain; charset=utf-8";',
    '    add_header Content-Length 0;',
    '    return 204;',
    '}',
    ...headers,
  );
  return lines;
}

export const corsFeature = defineFeature({
  id: 'cors',
  entries: CORS_ANNOTATIONS,
  parse(read): CorsConfig | undefined {
    if (read.bool('enable-cors') !== true) return undefined;
    const origins = read.list('cors-allow-origin', 'header') ?? ['*'];
    const expose = read.list('cors-expose-headers', 'header');
    return {
      allowOrigins: origins.includes('*') ? ['*'] : [...origins].sort(),
      allowMethods: read.list('cors-allow-methods', 'header')?.join(', ') ?? CORS_DEFAULTS.methods,
      allowHeaders: read.list('cors-allow-headers', 'header')?.join(',') ?? CORS_DEFAULTS.headers,
      allowCredentials: read.bool('cors-allow-credentials') ?? true,
      ...(expose ? { exposeHeaders: expose.join(',') } : {}),
      maxAge: read.int('cors-max-age') ?? CORS_DEFAULTS.maxAge,
    };
  },
  location(c) {
    return { rewrite: corsLines(c) };
  },
});

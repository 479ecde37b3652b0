import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { forbiddenExternalName } from '../../k8s/external-name.js';
import { quoted } from '../../nginx/escape.js';
import { ABSOLUTE_PATH, enumSchema, listSchema, patternSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature, type ParseContext } from '../feature.js';
import { Unrenderable } from '../reader.js';

const URL_SCHEMA = { type: 'string', minLength: 1, maxLength: 2048, format: 'http-url' } as const;
const NEEDS_URL = { key: 'auth-url' } as const;
/** ingress-nginx's authreq methodsRegex. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'] as const;
const NO_VARIABLES = 'nginx variables ($host, $escaped_request_uri) are refused';

/**
 * Authentication by a subrequest to an external service (nginx `auth_request`): 2xx lets the
 * request through, 401/403 are answered to the client, anything else (the service down) is a 500.
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#external-authentication
 * https://nginx.org/en/docs/http/ngx_http_auth_request_module.html
 */
export const EXTERNAL_AUTH_ANNOTATIONS = [
  {
    key: 'auth-url',
    controller: 'renders',
    kind: 'string',
    schema: URL_SCHEMA,
    maxLength: 2048,
    // High: nginx dials this URL with every request's headers (cookies, Authorization).
    risk: 'high',
    doc: 'URL of the service that authenticates each request (2xx: allowed; 401/403: refused); typically a cluster Service such as oauth2-proxy.',
    expects: 'an absolute http:// or https:// URL without credentials, such as http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth',
    examples: ['http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth', 'https://auth.example.com/verify?group=staff'],
    differs: `Loopback, link-local, metadata and unspecified targets are refused, and ${NO_VARIABLES}: nginx would dial a host the client chooses; a DNS name is resolved per request with the controller's --resolver (none: requests get 500).`,
  },
  {
    key: 'auth-method',
    controller: 'renders',
    kind: 'string',
    schema: enumSchema(METHODS),
    maxLength: 7,
    risk: 'low',
    doc: 'HTTP method of the authentication subrequest (default GET; the client\'s method is in `X-Original-Method`).',
    expects: METHODS.join(', '),
    examples: ['GET', 'POST'],
    requires: NEEDS_URL,
  },
  {
    key: 'auth-signin',
    controller: 'renders',
    kind: 'string',
    schema: URL_SCHEMA,
    maxLength: 2048,
    risk: 'medium',
    doc: 'Where a 401 from auth-url redirects the client (302), with the original URL in the `rd` parameter (see auth-signin-redirect-param).',
    expects: 'an absolute http:// or https:// URL without credentials, such as https://auth.example.com/oauth2/start',
    examples: ['https://auth.example.com/oauth2/start', 'https://login.example.com/start?client=shop'],
    requires: NEEDS_URL,
    differs: `${NO_VARIABLES}; the rd parameter is added as ingress-nginx does, but unescaped (plain nginx cannot percent-encode), so a query's second parameter onwards is cut off by the sign-in service.`,
  },
  {
    key: 'auth-signin-redirect-param',
    controller: 'renders',
    kind: 'string',
    schema: patternSchema('^[A-Za-z0-9_.-]+$', 64),
    maxLength: 64,
    risk: 'low',
    doc: 'Name of the query parameter of auth-signin that carries the original URL (default `rd`).',
    expects: 'a query parameter name: letters, digits, _ . - (at most 64)',
    examples: ['redirect_uri', 'rd'],
    requires: { key: 'auth-signin' },
  },
  {
    key: 'auth-response-headers',
    controller: 'renders',
    kind: 'list',
    schema: listSchema({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' }, 32),
    maxLength: 4096,
    risk: 'medium',
    doc: 'Headers of the authentication response passed on to the backend (a client cannot send them itself: absent from the response, they are removed).',
    expects: 'header names like X-Auth-Request-User, X-Auth-Request-Email separated by commas',
    examples: ['X-Auth-Request-User, X-Auth-Request-Email', 'Authorization'],
    requires: NEEDS_URL,
  },
  {
    key: 'auth-request-redirect',
    controller: 'renders',
    kind: 'string',
    schema: { type: 'string', minLength: 1, maxLength: 2048, anyOf: [{ format: 'http-url' }, { pattern: ABSOLUTE_PATH }] },
    maxLength: 2048,
    risk: 'medium',
    doc: 'Value of the `X-Auth-Request-Redirect` header sent to auth-url (default: the request URI).',
    expects: 'an absolute path or an absolute http:// or https:// URL',
    examples: ['https://shop.example.com/', '/after-login'],
    requires: NEEDS_URL,
  },
] as const satisfies readonly AnnotationEntry[];

/** External authentication of one Ingress's locations; every string escaped. */
export interface ExternalAuthConfig {
  readonly url: string;
  readonly method?: string;
  readonly requestRedirect?: string;
  /** Header names, de-duplicated as nginx variables see them. */
  readonly responseHeaders: readonly string[];
  /** The 302 target for a 401, the original URL parameter included (nginx variables). */
  readonly signin?: string;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Why nginx must not dial this auth-url host (the ExternalName judgement), or undefined. */
function authHostRefusal(host: string, context: ParseContext): string | undefined {
  const forbidden = forbiddenExternalName(host);
  if (forbidden === undefined || !context.allowAuthUrlLoopback) return forbidden;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6') ? undefined : forbidden;
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * The internal location of an auth config, named by all of it: two configs never share a name,
 * so the units `server` returns never hold the same location twice. `|` cannot be in an Ingress's exact or prefix path
 * (nginx/escape.ts), so no Ingress location can collide with it; `internal` makes it 404 to clients.
 */
function authLocation(c: ExternalAuthConfig): string {
  return `/_gh_auth|${hashOf(c)}`;
}

function signinLocation(c: ExternalAuthConfig): string {
  return `@gh_signin_${hashOf(c)}`;
}

/** nginx's `$upstream_http_<name>`: lower case, `-` as `_`. */
function variableName(header: string): string {
  return header.toLowerCase().replace(/-/g, '_');
}

/** ingress-nginx's buildAuthSignURL: the original URL in `param`, unless the URL already has it. */
function signinTarget(signin: string, param: string): string {
  const query = new URL(signin).searchParams;
  if (query.has(param)) return signin;
  return `${signin}${signin.includes('?') ? '&' : '?'}${param}=$scheme://$http_host$request_uri`;
}

export const externalAuthFeature = defineFeature({
  id: 'external-auth',
  entries: EXTERNAL_AUTH_ANNOTATIONS,
  parse(read, context): ExternalAuthConfig | undefined {
    const url = read.str('auth-url', 'url');
    if (url === undefined) return undefined;
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    const refusal = authHostRefusal(host, context);
    if (refusal !== undefined) throw new Unrenderable(`auth-url ${JSON.stringify(url)} cannot be dialled by nginx: ${refusal}`, 'auth-url');
    const method = read.oneOf('auth-method', METHODS);
    const requestRedirect = read.str('auth-request-redirect', 'header');
    const headers = read.list('auth-response-headers', 'header') ?? [];
    const byVariable = new Map<string, string>();
    for (const h of headers) if (!byVariable.has(variableName(h))) byVariable.set(variableName(h), h);
    const signin = read.str('auth-signin', 'url');
    const param = read.str('auth-signin-redirect-param', 'header') ?? 'rd';
    return {
      url,
      ...(method ? { method } : {}),
      ...(requestRedirect ? { requestRedirect } : {}),
      responseHeaders: [...byVariable.values()],
      ...(signin ? { signin: signinTarget(signin, param) } : {}),
    };
  },
  location(c, ctx) {
    return {
      directives: [
        `auth_request ${quoted(authLocation(c))};`,
        // The service's cookie reaches the client (oauth2-proxy refreshes its session this way).
        'auth_request_set $gh_auth_cookie $upstream_http_set_cookie;',
        'add_header Set-Cookie $gh_auth_cookie;',
        ...c.responseHeaders.flatMap((h) => [
          `auth_request_set $gh_auth_${variableName(h)} $upstream_http_${variableName(h)};`,
          // Empty when the service did not send it: nginx then drops the client's own.
          `${ctx.pass}_set_header ${h} $gh_auth_${variableName(h)};`,
        ]),
        ...(c.signin ? [`error_page 401 = ${signinLocation(c)};`] : []),
      ],
    };
  },
  server(c) {
    // As ingress-nginx's template (rootfs/etc/nginx/template/nginx.tmpl, `location = $authPath`).
    // The location sets its own headers, so it inherits none of the http level's.
    const auth = [
      `location = ${quoted(authLocation(c))} {`,
      '    internal;',
      '    access_log off;',
      // A variable: nginx resolves a DNS name per request (with `resolver`), so a name that does
      // not resolve fails that request (500), never `nginx -t` for every Ingress.
      `    set $gh_auth_target ${quoted(c.url)};`,
      '    proxy_pass_request_body off;',
      '    proxy_set_header Content-Length "";',
      '    proxy_set_header X-Forwarded-Proto "";',
      '    proxy_set_header X-Request-ID $request_id;',
      '    proxy_set_header X-Original-URL $scheme://$http_host$request_uri;',
      '    proxy_set_header X-Original-Method $request_method;',
      '    proxy_set_header X-Sent-From "nginx-ingress-controller";',
      '    proxy_set_header X-Real-IP $remote_addr;',
      '    proxy_set_header X-Forwarded-For $remote_addr;',
      `    proxy_set_header X-Auth-Request-Redirect ${c.requestRedirect ? quoted(c.requestRedirect) : '$request_uri'};`,
      // httpoxy: https://httpoxy.org/
      '    proxy_set_header Proxy "";',
      ...(c.method ? [`    proxy_method ${c.method};`, '    proxy_set_header X-Original-URI $request_uri;', '    proxy_set_header X-Scheme $scheme;'] : []),
      '    proxy_ssl_server_name on;',
      '    proxy_pass $gh_auth_target;',
      '}',
    ];
    if (!c.signin) return auth;
    return [...auth, `location ${signinLocation(c)} {`, '    add_header Set-Cookie $gh_auth_cookie;', `    return 302 ${quoted(c.signin)};`, '}'];
  },
});

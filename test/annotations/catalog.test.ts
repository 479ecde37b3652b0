import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import {
  ANNOTATION_CATALOG,
  catalogEntry,
  catalogMarkdown,
  controllerSupport,
  isSnippetKey,
  NGINX_ANNOTATION_PREFIX,
  UNIMPLEMENTED_ANNOTATIONS,
  unimplementedMarkdown,
  type AnnotationEntry,
} from '../../src/annotations/catalog.js';
import { ANNOTATION_FORMATS } from '../../src/annotations/formats.js';
import { checkAnnotationValue } from '../../src/annotations/validate.js';
import { RISK_LEVELS } from '../../src/rules/types.js';

const ENTRIES = ANNOTATION_CATALOG as readonly AnnotationEntry[];
const byKey = ENTRIES.map((e) => [e.key, e] as const);

describe('every catalog entry', () => {
  test.for(byKey)('%s has a doc, a plain-words expectation and a known risk', ([, e]) => {
    expect(e.doc.length).toBeGreaterThan(10);
    expect(e.expects.length).toBeGreaterThan(2);
    expect(RISK_LEVELS).toContain(e.risk);
  });

  test.for(byKey)('%s has a schema that compiles in strict mode', ([, e]) => {
    const ajv = new Ajv({ strict: true });
    for (const [name, validate] of Object.entries(ANNOTATION_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
    expect(() => ajv.compile(e.schema)).not.toThrow();
  });

  test.for(byKey)('%s accepts each of its examples', ([key, e]) => {
    for (const example of e.examples) expect(checkAnnotationValue(key, example), example).toMatchObject({ ok: true });
  });

  test.for(byKey)('%s names a catalog annotation in requires', ([, e]) => {
    if (e.requires) expect(catalogEntry(e.requires.key)).toBeDefined();
  });
});

test('keys are unique, lower-case kebab-case and stored without the prefix', () => {
  const keys = [...ENTRIES, ...UNIMPLEMENTED_ANNOTATIONS].map((e) => e.key);
  expect(new Set(keys).size).toBe(keys.length);
  for (const key of keys) expect(key).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
});

describe('what the bundled controller does with each annotation', () => {
  // The one place that says it: the annotations rule denies `refuses` and warns `ignores`, the
  // renderer renders only `renders` and `ignores` (test/nginx/location-settings.test.ts proves
  // each `renders` key changes what is rendered and each `refuses` key is refused there too).
  test.for([...ENTRIES, ...UNIMPLEMENTED_ANNOTATIONS].map((e) => [e.key, e] as const))(
    '%s is rendered, refused or ignored, and names its feature unless rendered',
    ([key, e]) => {
      expect(['renders', 'refuses', 'ignores']).toContain(e.controller);
      if (e.controller !== 'renders') expect(e.feature?.length, key).toBeGreaterThan(3);
      expect(controllerSupport(key)?.controller).toBe(e.controller);
    },
  );

  // ingress-nginx's annotation list (docs/user-guide/nginx-configuration/annotations.md at
  // kubernetes/ingress-nginx dbb11b92, 2026-03) plus annotations its parsers read that the page
  // leaves out. None may fall through to "unknown, ignored": each is a deliberate choice here.
  const INGRESS_NGINX = `
    affinity affinity-canary-behavior affinity-mode allowlist-source-range app-root auth-always-set-cookie
    auth-cache-duration auth-cache-key auth-keepalive auth-keepalive-requests auth-keepalive-share-vars
    auth-keepalive-timeout auth-method auth-proxy-set-headers auth-realm auth-request-redirect
    auth-response-headers auth-secret auth-secret-type auth-signin auth-signin-redirect-param auth-snippet
    auth-tls-error-page auth-tls-match-cn auth-tls-pass-certificate-to-upstream auth-tls-secret
    auth-tls-verify-client auth-tls-verify-depth auth-type auth-url backend-protocol canary canary-by-cookie
    canary-by-header canary-by-header-pattern canary-by-header-value canary-weight canary-weight-total
    client-body-buffer-size configuration-snippet connection-proxy-header cors-allow-credentials
    cors-allow-headers cors-allow-methods cors-allow-origin cors-expose-headers cors-max-age custom-headers
    custom-http-errors default-backend denylist-source-range disable-proxy-intercept-errors enable-access-log
    enable-cors enable-global-auth enable-modsecurity enable-opentelemetry enable-owasp-core-rules
    enable-rewrite-log fastcgi-index fastcgi-params-configmap force-ssl-redirect from-to-www-redirect
    http2-push-preload limit-allowlist limit-burst-multiplier limit-connections limit-rate limit-rate-after
    limit-rpm limit-rps limit-whitelist load-balance mirror-host mirror-request-body mirror-target
    modsecurity-snippet modsecurity-transaction-id opentelemetry-operation-name
    opentelemetry-trust-incoming-span permanent-redirect permanent-redirect-code preserve-trailing-slash
    proxy-body-size proxy-buffer-size proxy-buffering proxy-buffers-number proxy-busy-buffers-size
    proxy-connect-timeout proxy-cookie-domain proxy-cookie-path proxy-http-version proxy-max-temp-file-size
    proxy-next-upstream proxy-next-upstream-timeout proxy-next-upstream-tries proxy-read-timeout
    proxy-redirect-from proxy-redirect-to proxy-request-buffering proxy-send-timeout proxy-ssl-ciphers
    proxy-ssl-name proxy-ssl-protocols proxy-ssl-secret proxy-ssl-server-name proxy-ssl-verify
    proxy-ssl-verify-depth relative-redirects rewrite-target satisfy server-alias server-snippet
    service-upstream session-cookie-change-on-failure session-cookie-conditional-samesite-none
    session-cookie-domain session-cookie-expires session-cookie-max-age session-cookie-name
    session-cookie-path session-cookie-samesite session-cookie-secure ssl-ciphers ssl-passthrough
    ssl-prefer-server-ciphers ssl-redirect stream-snippet temporal-redirect temporal-redirect-code
    upstream-hash-by upstream-hash-by-subset upstream-hash-by-subset-size upstream-vhost use-port-in-redirects
    use-regex whitelist-source-range x-forwarded-prefix
    global-rate-limit global-rate-limit-window global-rate-limit-key global-rate-limit-ignored-cidrs
  `.split(/\s+/).filter(Boolean);

  test.for(INGRESS_NGINX)('ingress-nginx annotation %s has a catalog entry', (key) => {
    expect(controllerSupport(key)).toBeDefined();
    expect(catalogEntry(key) ?? UNIMPLEMENTED_ANNOTATIONS.find((e) => e.key === key)).toBeDefined();
  });

  // Issue 8: any authentication, allow/deny list, rate limit, client TLS authentication, upstream
  // TLS verification, snippet or canary the controller does not render must be refused.
  const SECURITY_RELEVANT = INGRESS_NGINX.filter((k) =>
    /^(auth-|limit-|global-rate-limit|proxy-ssl-|canary|satisfy$|enable-modsecurity|enable-owasp|modsecurity-)|-source-range$|-snippet$/.test(k),
  );
  test.for(SECURITY_RELEVANT)('security-relevant %s is rendered or refused, never ignored', (key) => {
    expect(['renders', 'refuses']).toContain(controllerSupport(key)?.controller);
  });

  test.for(['auth-new-feature', 'limit-per-hour', 'global-rate-limit-burst', 'proxy-ssl-curves', 'canary-by-query', 'geo-source-range', 'lua-snippet', 'modsecurity-rules'])(
    'an unknown key of a refused family, %s, is refused',
    (key) => {
      expect(controllerSupport(key)?.controller).toBe('refuses');
    },
  );

  test('an unknown key of no refused family is unknown', () => {
    expect(controllerSupport('made-up-setting')).toBeUndefined();
  });
});

test('snippets, and only snippets, are critical', () => {
  for (const e of ENTRIES) expect(e.risk === 'critical', e.key).toBe(isSnippetKey(e.key));
});

test('secret references are high risk', () => {
  for (const e of ENTRIES.filter((x) => x.kind === 'namespaced-name')) expect(e.risk, e.key).toBe('high');
});

test('the annotations issue 2 requires are all in the catalog', () => {
  const required = [
    'rewrite-target', 'use-regex', 'app-root', 'ssl-redirect', 'force-ssl-redirect', 'backend-protocol',
    'proxy-body-size', 'proxy-connect-timeout', 'proxy-read-timeout', 'proxy-send-timeout',
    'whitelist-source-range', 'allowlist-source-range', 'permanent-redirect', 'temporal-redirect',
    'enable-cors', 'cors-allow-origin', 'cors-allow-methods', 'cors-allow-headers', 'cors-allow-credentials',
    'affinity', 'session-cookie-name', 'auth-tls-secret', 'proxy-ssl-secret', 'configuration-snippet', 'server-snippet',
  ];
  for (const key of required) expect(catalogEntry(key), key).toBeDefined();
});

test('catalogEntry knows nothing outside the catalog', () => {
  expect(catalogEntry('mirror-target')).toBeUndefined();
  expect(catalogEntry(`${NGINX_ANNOTATION_PREFIX}proxy-body-size`)).toBeUndefined();
});

describe('catalogMarkdown', () => {
  const md = catalogMarkdown();

  test('has a header and one row per entry', () => {
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('| Feature | Annotation | Controller | Risk | Accepted values | Example | What it does | Differs from ingress-nginx |');
    expect(lines).toHaveLength(ENTRIES.length + 2);
  });

  test('shows the full key, what the controller does, risk, expectation and first example', () => {
    expect(md).toContain(
      '| proxy | `nginx.ingress.kubernetes.io/proxy-body-size` | renders | low | a size like 8m, 512k or 0 | `8m` | Largest request body',
    );
    expect(md).toContain('| client-certificate | `nginx.ingress.kubernetes.io/auth-tls-secret` | renders | high |');
  });

  test('escapes pipes inside cells', () => {
    for (const line of md.trimEnd().split('\n').slice(2)) expect(line.replaceAll('\\|', '').split('|')).toHaveLength(10);
  });
});

describe('unimplementedMarkdown', () => {
  test('has one row per key-only entry, with what the controller does and the feature', () => {
    const lines = unimplementedMarkdown().trimEnd().split('\n');
    expect(lines[0]).toBe('| Feature | Annotation | Controller | What it asks for | Differs from ingress-nginx |');
    expect(lines).toHaveLength(UNIMPLEMENTED_ANNOTATIONS.length + 2);
    expect(lines).toContain('| auth | `nginx.ingress.kubernetes.io/auth-keepalive` | **refused** | external authentication |  |');
    expect(lines).toContain('| proxy | `nginx.ingress.kubernetes.io/proxy-busy-buffers-size` | ignored | proxy buffering | Harmless: nginx sizes busy buffers from proxy-buffer-size (rendered); only memory use differs. |');
  });
});

describe('every key the controller ignores says why that is harmless', () => {
  // Issue 10: every ingress-nginx key is rendered, refused with a clear denial, or documented as
  // ignored because leaving it out changes who reaches what in no way.
  const ignored = [...ENTRIES, ...UNIMPLEMENTED_ANNOTATIONS].filter((e) => e.controller === 'ignores');
  test.for(ignored.map((e) => e.key))('%s', (key) => {
    const e = [...ENTRIES, ...UNIMPLEMENTED_ANNOTATIONS].find((x) => x.key === key)!;
    expect(e.differs?.length ?? 0, key).toBeGreaterThan(20);
  });
});

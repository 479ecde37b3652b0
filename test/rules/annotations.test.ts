import { describe, expect, test } from 'vitest';
import { annotationsRule } from '../../src/rules/annotations.js';
import { DEFAULT_RULE_OPTIONS, type Finding, type RuleOptions } from '../../src/rules/types.js';
import { contextFor, ingress, shopCluster } from '../fixtures/builders.js';

const P = 'nginx.ingress.kubernetes.io/';

function check(annotations: Record<string, string>, options: Partial<RuleOptions> = {}): Finding[] {
  return annotationsRule.check(ingress({ annotations }), contextFor(shopCluster(), { options: { ...DEFAULT_RULE_OPTIONS, ...options } }));
}

function deny(key: string, message: string): Finding {
  return { rule: 'annotations', severity: 'deny', path: `metadata.annotations[${P}${key}]`, message };
}

function notImplemented(key: string, feature: string): string {
  return `${P}${key} (${feature}) is not implemented by the bundled controller yet; the Ingress is refused rather than served without it`;
}

function warn(key: string, message: string): Finding {
  return { rule: 'annotations', severity: 'warn', path: `metadata.annotations[${P}${key}]`, message };
}

describe('annotations rule: allowed without findings', () => {
  test.for<{ name: string; annotations: Record<string, string> }>([
    { name: 'no annotations', annotations: {} },
    { name: 'annotations of other tools', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt', 'example.com/x': '{;}' } },
    { name: 'a rewrite with a capture group', annotations: { [`${P}rewrite-target`]: '/$2', [`${P}use-regex`]: 'true' } },
    { name: 'a body size and timeouts', annotations: { [`${P}proxy-body-size`]: '8m', [`${P}proxy-read-timeout`]: '3600', [`${P}proxy-connect-timeout`]: '5' } },
    { name: 'an allow-list of IPv4 and IPv6 ranges', annotations: { [`${P}allowlist-source-range`]: '10.0.0.0/8, 192.168.0.0/16, 2001:db8::/32' } },
    { name: 'a permanent redirect with code', annotations: { [`${P}permanent-redirect`]: 'https://example.com/new', [`${P}permanent-redirect-code`]: '308' } },
    {
      name: 'a full CORS setup',
      annotations: {
        [`${P}enable-cors`]: 'true',
        [`${P}cors-allow-origin`]: 'https://a.example.com, https://*.example.org',
        [`${P}cors-allow-methods`]: 'GET, POST',
        [`${P}cors-allow-headers`]: 'Authorization, Content-Type',
        [`${P}cors-allow-credentials`]: 'false',
        [`${P}cors-max-age`]: '600',
      },
    },
    { name: 'cookie affinity', annotations: { [`${P}affinity`]: 'cookie', [`${P}session-cookie-name`]: 'route' } },
    { name: 'a GRPC backend', annotations: { [`${P}backend-protocol`]: 'GRPC' } },
  ])('$name', ({ annotations }) => {
    expect(check(annotations)).toEqual([]);
  });
});

describe('annotations rule: invalid values are denied with the reason', () => {
  test('a body size in words', () => {
    expect(check({ [`${P}proxy-body-size`]: '10 MB' })).toEqual([
      deny('proxy-body-size', 'invalid value "10 MB": must be a size like 8m, 512k or 0'),
    ]);
  });

  test('a newline break-out in rewrite-target (CVE-2021-25742 style)', () => {
    expect(check({ [`${P}rewrite-target`]: '/foo;\n}' })).toEqual([
      deny('rewrite-target', 'invalid value "/foo;\\n}": must not contain ";"'),
    ]);
  });

  test('a load_module injection in an allow-list (IngressNightmare style)', () => {
    expect(check({ [`${P}allowlist-source-range`]: '"; load_module /tmp/x.so; #' })).toEqual([
      deny('allowlist-source-range', 'invalid value "\\"; load_module /tmp/x.so; #": must not contain "\\""'),
    ]);
  });

  test('a variable in a redirect (CVE-2023-5044 style)', () => {
    expect(check({ [`${P}permanent-redirect`]: 'https://example.com/${host}' })).toEqual([
      deny('permanent-redirect', 'invalid value "https://example.com/${host}": must not contain "$"'),
    ]);
  });

  test('a Unicode line separator in a cookie path', () => {
    expect(check({ [`${P}affinity`]: 'cookie', [`${P}session-cookie-path`]: '/a\u2028b' })).toEqual([
      deny('session-cookie-path', 'invalid value "/a\\u2028b": must not contain a Unicode line separator (U+2028)'),
    ]);
  });

  test('a very long value is cut in the message', () => {
    const [f] = check({ [`${P}app-root`]: `/${'a'.repeat(5000)}` });
    expect(f?.message).toBe(`invalid value "/${'a'.repeat(79)}"… (5001 characters): is 5001 characters long; at most 1024 are allowed`);
  });

  test('every invalid annotation is reported', () => {
    const findings = check({ [`${P}proxy-body-size`]: 'x', [`${P}proxy-read-timeout`]: 'y', [`${P}use-regex`]: 'z' });
    expect(findings.map((f) => f.path)).toEqual([
      `metadata.annotations[${P}proxy-body-size]`,
      `metadata.annotations[${P}proxy-read-timeout]`,
      `metadata.annotations[${P}use-regex]`,
    ]);
  });
});

describe('annotations rule: risk and snippets', () => {
  test('a snippet is denied by default', () => {
    expect(check({ [`${P}configuration-snippet`]: 'more_set_headers "A: b";' })).toEqual([
      deny(
        'configuration-snippet',
        'snippet annotations are disabled: they insert raw nginx configuration (--allow-snippet-annotations with --annotations-risk-level critical lifts this, but the bundled controller does not render snippets yet)',
      ),
    ]);
  });

  test('an unknown *-snippet key is denied like a snippet', () => {
    expect(check({ [`${P}lua-snippet`]: 'x' })[0]?.severity).toBe('deny');
  });

  test('a snippet with --allow-snippet-annotations is denied: the controller does not render snippets', () => {
    expect(check({ [`${P}server-snippet`]: 'return 200;' }, { allowSnippetAnnotations: true })).toEqual([
      deny('server-snippet', notImplemented('server-snippet', 'raw nginx configuration (snippets)')),
    ]);
  });

  test('a snippet with both flags is still denied: the controller does not render snippets', () => {
    expect(check({ [`${P}server-snippet`]: 'return 200;' }, { allowSnippetAnnotations: true, annotationsRiskLevel: 'critical' })).toEqual([
      deny('server-snippet', notImplemented('server-snippet', 'raw nginx configuration (snippets)')),
    ]);
  });

  test('risk level critical alone does not allow snippets', () => {
    expect(check({ [`${P}server-snippet`]: 'return 200;' }, { annotationsRiskLevel: 'critical' })[0]?.severity).toBe('deny');
  });

  test('a medium-risk annotation with --annotations-risk-level low', () => {
    expect(check({ [`${P}rewrite-target`]: '/' }, { annotationsRiskLevel: 'low' })).toEqual([
      deny('rewrite-target', 'risk medium is above the allowed level low (--annotations-risk-level)'),
    ]);
  });

  test('a medium-risk annotation with --annotations-risk-level medium is allowed', () => {
    expect(check({ [`${P}rewrite-target`]: '/' }, { annotationsRiskLevel: 'medium' })).toEqual([]);
  });
});

describe('annotations rule: warnings', () => {
  test('an unknown key under the prefix is ignored', () => {
    expect(check({ [`${P}made-up-setting`]: 'x' })).toEqual([warn('made-up-setting', 'ignored: Gatehouse does not support this annotation')]);
  });

  test('an ingress-nginx annotation the controller ignores harmlessly', () => {
    expect(check({ [`${P}mirror-target`]: 'https://mirror.example.com' })).toEqual([
      warn('mirror-target', 'ignored: the bundled controller does not implement request mirroring; the Ingress is served without it'),
    ]);
  });

  // affinity-mode was the example of an accepted-but-ignored value until persistent affinity was rendered.
  test('affinity-mode persistent is accepted without a warning (rendered)', () => {
    expect(check({ [`${P}affinity`]: 'cookie', [`${P}affinity-mode`]: 'persistent' })).toEqual([]);
  });

  test('a CORS option without enable-cors', () => {
    expect(check({ [`${P}cors-allow-origin`]: '*' })).toEqual([
      warn('cors-allow-origin', `has no effect without ${P}enable-cors: "true"`),
    ]);
  });

  test('a CORS option with enable-cors "false"', () => {
    expect(check({ [`${P}enable-cors`]: 'false', [`${P}cors-max-age`]: '60' })).toEqual([
      warn('cors-max-age', `has no effect without ${P}enable-cors: "true"`),
    ]);
  });

  test('a CORS option with an invalid enable-cors gets only the denial', () => {
    expect(check({ [`${P}enable-cors`]: 'yes', [`${P}cors-max-age`]: '60' })).toEqual([
      deny('enable-cors', 'invalid value "yes": must be "true" or "false"'),
    ]);
  });

  test('a redirect code without its redirect', () => {
    expect(check({ [`${P}permanent-redirect-code`]: '308' })).toEqual([
      warn('permanent-redirect-code', `has no effect without ${P}permanent-redirect`),
    ]);
  });

  test('a session cookie name without cookie affinity', () => {
    expect(check({ [`${P}session-cookie-name`]: 'route' })).toEqual([
      warn('session-cookie-name', `has no effect without ${P}affinity: "cookie"`),
    ]);
  });

  test('whitelist-source-range next to allowlist-source-range', () => {
    expect(check({ [`${P}whitelist-source-range`]: '0.0.0.0/0', [`${P}allowlist-source-range`]: '10.0.0.0/8' })).toEqual([
      warn('whitelist-source-range', `ignored: ${P}allowlist-source-range is also set and takes precedence`),
    ]);
  });

});

describe('annotations rule: authentication the controller could not serve is denied, saying why', () => {
  const users = (auth: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: 'shop', name: 'users' },
    data: { auth: Buffer.from(auth).toString('base64') },
  });
  const withSecrets = (auth: string, annotations: Record<string, string>) =>
    annotationsRule.check(ingress({ annotations }), contextFor(shopCluster(users(auth)), { options: DEFAULT_RULE_OPTIONS }));
  const APR1 = '$apr1$saltsalt$bHTbtgomzkPDQ8nyKRSUj.';

  test('a usable Secret is admitted', () => {
    expect(withSecrets(`alice:${APR1}`, { [`${P}auth-type`]: 'basic', [`${P}auth-secret`]: 'users' })).toEqual([]);
  });

  test.for<[string, string, Record<string, string>, string, string]>([
    ['a missing Secret', `alice:${APR1}`, { 'auth-type': 'basic', 'auth-secret': 'nope' }, 'auth-secret', 'auth-secret shop/nope does not exist'],
    [
      'a malformed htpasswd line',
      'alice:plain-text-password',
      { 'auth-type': 'basic', 'auth-secret': 'users' },
      'auth-secret',
      'auth-secret shop/users (auth-file) cannot be used: it key auth, line 1: the password of user "alice" is not a hash nginx can check (expected user:hash lines with an $apr1$, $1$, $5$, $6$, $2b$, $y$, {SHA}, {SSHA} or DES crypt hash)',
    ],
    ['auth-type without auth-secret', `alice:${APR1}`, { 'auth-type': 'basic' }, 'auth-type', 'needs nginx.ingress.kubernetes.io/auth-secret, the Secret holding the users'],
    ['digest', `alice:${APR1}`, { 'auth-type': 'digest', 'auth-secret': 'users' }, 'auth-type', 'auth-type digest cannot be served: the bundled nginx has no digest authentication module; use basic (over HTTPS)'],
    [
      'a metadata address',
      '',
      { 'auth-url': 'http://169.254.169.254/latest/meta-data/' },
      'auth-url',
      'auth-url "http://169.254.169.254/latest/meta-data/" cannot be dialled by nginx: 169.254.169.254 is a loopback, link-local, unspecified or metadata address',
    ],
  ])('%s', ([, auth, raw, key, message]) => {
    const annotations = Object.fromEntries(Object.entries(raw).map(([k, v]) => [P + k, v]));
    expect(withSecrets(auth, annotations)).toEqual([deny(key, message)]);
  });

  test('a URL nginx could be steered by (a variable) is refused by the schema', () => {
    const [finding] = check({ [`${P}auth-url`]: 'https://$host/oauth2/auth' });
    expect(finding).toMatchObject({ severity: 'deny', path: `metadata.annotations[${P}auth-url]`, message: expect.stringContaining('"$"') });
  });
});

describe('annotations rule: what the bundled controller does not implement is denied (nothing fails open)', () => {
  // Each would be served as if absent: unauthenticated, unlimited, without a client or upstream
  // certificate check, without the raw configuration or the canary split it asks for.
  test.for<[string, string, string]>([
    ['auth-keepalive', '10', 'external authentication'],
    ['auth-proxy-set-headers', 'shop/auth-headers', 'external authentication'],
    ['auth-cache-key', '$remote_user$http_authorization', 'caching external authentication responses'],
    ['global-rate-limit', '100', 'global rate limiting (memcached)'],
    ['limit-new-feature', 'x', 'rate limiting'],
    ['allowed-source-range', '10.0.0.0/8', 'client source ranges'],
    ['proxy-ssl-curves', 'prime256v1', 'upstream TLS authentication and verification'],
    ['ssl-ciphers', 'HIGH', 'per-Ingress TLS cipher settings'],
    ['enable-modsecurity', 'true', 'the ModSecurity web application firewall'],
    ['canary-by-query', 'beta', 'canary traffic splitting'],
    ['ssl-passthrough', 'true', 'TLS passthrough to the backend'],
    ['auth-new-feature', 'x', 'authentication'],
    ['lua-snippet', 'x', 'raw nginx configuration (snippets)'],
  ])('%s', ([key, value, feature]) => {
    expect(check({ [`${P}${key}`]: value }, { allowSnippetAnnotations: true, annotationsRiskLevel: 'critical' })).toEqual([deny(key, notImplemented(key, feature))]);
  });

  test('every such annotation is reported, whatever its value', () => {
    const findings = check({ [`${P}auth-keepalive`]: '"; hostile', [`${P}limit-rps`]: 'many', [`${P}canary-by-query`]: '500' });
    expect(findings.map((f) => [f.path, f.severity])).toEqual([
      [`metadata.annotations[${P}auth-keepalive]`, 'deny'],
      [`metadata.annotations[${P}limit-rps]`, 'deny'],
      [`metadata.annotations[${P}canary-by-query]`, 'deny'],
    ]);
  });
});

describe('annotations rule: rate limits, access, custom errors and the access log', () => {
  test.for<[string, string, string]>([
    ['limit-rps', 'ten', 'invalid value "ten": must be a whole number of requests from 0 to 1000000'],
    ['limit-rps', '-1', 'invalid value "-1": must be a whole number of requests from 0 to 1000000'],
    ['limit-rpm', '1e3', 'invalid value "1e3": must be a whole number of requests from 0 to 60000000'],
    ['limit-connections', '100001', 'invalid value "100001": must be a whole number of connections from 0 to 100000'],
    ['limit-burst-multiplier', '2.5', 'invalid value "2.5": must be a whole number from 0 to 1000'],
    ['limit-rate', '10m', 'invalid value "10m": must be whole kilobytes per second from 0 to 10485760'],
    ['limit-allowlist', '10.0.0.0/33', 'invalid value "10.0.0.0/33": must be IPv4/IPv6 addresses or CIDR ranges separated by commas, like 10.0.0.0/8, 2001:db8::/32 (item 1, "10.0.0.0/33", is not)'],
    ['denylist-source-range', '10.0.0.0/8; deny all', 'invalid value "10.0.0.0/8; deny all": must not contain ";"'],
    ['satisfy', 'one', 'invalid value "one": must be "any" or "all"'],
    ['custom-http-errors', '404,302', 'invalid value "404,302": must be HTTP status codes from 400 to 599 separated by commas, like 404, 503 (item 2, "302", is not)'],
    ['default-backend', 'other/error-pages', 'invalid value "other/error-pages": must be a Service name in the Ingress\'s namespace, like error-pages'],
    ['enable-access-log', 'no', 'invalid value "no": must be "true" or "false"'],
  ])('%s: %s is denied', ([key, value, message]) => {
    expect(check({ [`${P}${key}`]: value, [`${P}limit-rps`]: key === 'limit-rps' ? value : '5' }).filter((f) => f.severity === 'deny')).toEqual([deny(key, message)]);
  });

  test('valid limits, lists, custom errors and a default backend are allowed', () => {
    expect(
      check({
        [`${P}limit-rps`]: '5',
        [`${P}limit-rpm`]: '300',
        [`${P}limit-connections`]: '10',
        [`${P}limit-burst-multiplier`]: '2',
        [`${P}limit-allowlist`]: '10.0.0.0/8, 2001:db8::/32',
        [`${P}limit-rate`]: '100',
        [`${P}limit-rate-after`]: '1024',
        [`${P}denylist-source-range`]: '203.0.113.0/24',
        [`${P}allowlist-source-range`]: '10.0.0.0/8',
        [`${P}satisfy`]: 'any',
        [`${P}custom-http-errors`]: '404, 503',
        [`${P}default-backend`]: 'error-pages',
        [`${P}enable-access-log`]: 'false',
      }),
    ).toEqual([]);
  });

  test('limit-whitelist next to limit-allowlist is ignored', () => {
    expect(check({ [`${P}limit-rps`]: '5', [`${P}limit-whitelist`]: '0.0.0.0/0', [`${P}limit-allowlist`]: '10.0.0.0/8' })).toEqual([
      warn('limit-whitelist', `ignored: ${P}limit-allowlist is also set and takes precedence`),
    ]);
  });

  test('a burst multiplier or allow-list without a limit has no effect', () => {
    expect(check({ [`${P}limit-burst-multiplier`]: '2', [`${P}limit-allowlist`]: '10.0.0.0/8', [`${P}limit-rps`]: '0' })).toEqual([
      warn('limit-burst-multiplier', 'has no effect without limit-rps, limit-rpm or limit-connections above 0'),
      warn('limit-allowlist', 'has no effect without limit-rps, limit-rpm or limit-connections above 0'),
    ]);
  });

  test('disable-proxy-intercept-errors without custom-http-errors has no effect', () => {
    expect(check({ [`${P}disable-proxy-intercept-errors`]: 'true' })).toEqual([warn('disable-proxy-intercept-errors', `has no effect without ${P}custom-http-errors`)]);
  });
});

describe('annotations rule: canary values the controller cannot serve are denied with the reason', () => {
  const CANARY = { [`${P}canary`]: 'true', [`${P}canary-by-header`]: 'X-Canary' };

  test('a header pattern that is not valid PCRE', () => {
    const findings = check({ ...CANARY, [`${P}canary-by-header-pattern`]: '(beta' });
    expect(findings).toEqual([
      deny('canary-by-header-pattern', expect.stringContaining('is not a valid nginx (PCRE2) regular expression: missing closing parenthesis') as unknown as string),
    ]);
  });

  test('a header pattern that may backtrack catastrophically', () => {
    const findings = check({ ...CANARY, [`${P}canary-by-header-pattern`]: '^(a|aa)+$' });
    expect(findings).toEqual([deny('canary-by-header-pattern', expect.stringMatching(/catastrophic backtracking/) as unknown as string)]);
  });

  test('a weight above the total', () => {
    const findings = check({ ...CANARY, [`${P}canary-weight`]: '150', [`${P}canary-weight-total`]: '100' });
    expect(findings).toEqual([deny('canary-weight', expect.stringContaining('must be at most canary-weight-total (100)') as unknown as string)]);
  });

  test('a good canary has no findings', () => {
    expect(check({ ...CANARY, [`${P}canary-by-header-pattern`]: '^Do[A-Z][a-z]+y$', [`${P}canary-weight`]: '20' })).toEqual([]);
  });
});

describe('annotations rule: headers, rewrites, buffering and retries', () => {
  test.for([
    ['upstream-vhost', 'example.com; return 200 x', 'invalid value "example.com; return 200 x": must not contain ";"'],
    ['upstream-vhost', '$http_x_target', 'invalid value "$http_x_target": must not contain "$"'],
    ['proxy-buffer-size', '1g', 'invalid value "1g": must be at most 256k (a bound Gatehouse sets so one Ingress cannot exhaust the controller)'],
    ['proxy-buffers-number', '99', 'invalid value "99": must be a whole number from 4 to 32'],
    ['proxy-next-upstream', 'error http_418', 'invalid value "error http_418": must be off, or conditions among error, timeout, invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429, non_idempotent separated by spaces'],
    ['proxy-cookie-path', '~^/(.*)$ /$1', 'invalid value "~^/(.*)$ /$1": must not contain "$"'],
    ['proxy-redirect-from', '~^http://x', 'invalid value "~^http://x": must be default, off, an absolute path or an http(s) URL'],
    ['server-alias', '*.example.com', 'invalid value "*.example.com": must be host names like www.example.com separated by commas (item 1, "*.example.com", is not)'],
  ] as const)('%s %j', ([key, value, message]) => {
    expect(check({ [`${P}${key}`]: value }, { annotationsRiskLevel: 'critical' })).toEqual([deny(key, message)]);
  });

  test('custom-headers naming a ConfigMap that is missing (or not labelled) is denied', () => {
    const cluster = shopCluster();
    cluster.markCovered('ConfigMap');
    const findings = annotationsRule.check(ingress({ annotations: { [`${P}custom-headers`]: 'security-headers' } }), contextFor(cluster));
    expect(findings).toEqual([
      deny('custom-headers', 'annotation custom-headers: ConfigMap shop/security-headers not found with label gatehouse.dev/response-headers (the only ConfigMaps Gatehouse reads)'),
    ]);
  });

  test('custom-headers with a ConfigMap in another namespace is denied', () => {
    expect(check({ [`${P}custom-headers`]: 'other/security-headers' })).toEqual([
      deny('custom-headers', "annotation custom-headers: ConfigMap other/security-headers is not in the Ingress's namespace shop"),
    ]);
  });

  test('"off" with other proxy-next-upstream conditions is denied', () => {
    expect(check({ [`${P}proxy-next-upstream`]: 'error off' })).toEqual([deny('proxy-next-upstream', '`off` cannot be combined with other conditions')]);
  });
});

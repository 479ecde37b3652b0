import { describe, expect, test } from 'vitest';
import { ANNOTATION_CATALOG, NGINX_ANNOTATION_PREFIX, UNIMPLEMENTED_ANNOTATIONS, type AnnotationEntry } from '../../src/annotations/catalog.js';
import { checkAnnotationValue, parseAnnotations } from '../../src/annotations/validate.js';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from '../../src/rules/types.js';
import { ingress } from '../fixtures/builders.js';

const P = NGINX_ANNOTATION_PREFIX;

function parse(annotations: Record<string, unknown>, options: Partial<RuleOptions> = {}) {
  const ing = ingress({ annotations: annotations as Record<string, string> });
  return parseAnnotations(ing, { ...DEFAULT_RULE_OPTIONS, ...options }, { verdicts: true });
}

describe('checkAnnotationValue: accepted everyday values, decoded', () => {
  test.for<{ name: string; key: string; raw: string; value: unknown }>([
    { name: 'a size in megabytes', key: 'proxy-body-size', raw: '8m', value: '8m' },
    { name: 'an unlimited body size', key: 'proxy-body-size', raw: '0', value: '0' },
    { name: 'a capture reference', key: 'rewrite-target', raw: '/$2', value: '/$2' },
    { name: 'two IPv4 ranges', key: 'whitelist-source-range', raw: '10.0.0.0/8, 192.168.0.0/16', value: ['10.0.0.0/8', '192.168.0.0/16'] },
    { name: 'an IPv6 range', key: 'allowlist-source-range', raw: '2001:db8::/32', value: ['2001:db8::/32'] },
    { name: 'an absolute redirect URL', key: 'permanent-redirect', raw: 'https://example.com/new', value: 'https://example.com/new' },
    { name: 'a Go boolean spelling', key: 'use-regex', raw: 'True', value: true },
    { name: 'false', key: 'ssl-redirect', raw: 'false', value: false },
    { name: 'a timeout', key: 'proxy-read-timeout', raw: '60', value: 60 },
    { name: 'an upper-case protocol', key: 'backend-protocol', raw: 'GRPCS', value: 'GRPCS' },
    { name: 'a Secret in another namespace', key: 'auth-tls-secret', raw: 'shop/client-ca', value: { namespace: 'shop', name: 'client-ca' } },
    { name: 'a Secret in the Ingress namespace', key: 'proxy-ssl-secret', raw: 'backend-ca', value: { name: 'backend-ca' } },
    { name: 'any origin', key: 'cors-allow-origin', raw: '*', value: ['*'] },
    { name: 'a redirect code', key: 'permanent-redirect-code', raw: '308', value: 308 },
  ])('$name', ({ key, raw, value }) => {
    expect(checkAnnotationValue(key, raw)).toEqual({ ok: true, value });
  });
});

describe('checkAnnotationValue: refused, with the reason in plain words', () => {
  const RANGES = 'must be IPv4/IPv6 addresses or CIDR ranges separated by commas, like 10.0.0.0/8, 2001:db8::/32';
  test.for<{ name: string; key: string; raw: unknown; reason: string }>([
    { name: 'a size with a space and unit', key: 'proxy-body-size', raw: '10 MB', reason: 'must be a size like 8m, 512k or 0' },
    { name: 'a size with a two-letter unit', key: 'proxy-body-size', raw: '8mb', reason: 'must be a size like 8m, 512k or 0' },
    { name: 'a timeout above the maximum', key: 'proxy-read-timeout', raw: '3601', reason: 'must be whole seconds from 1 to 3600' },
    { name: 'a timeout with a unit', key: 'proxy-send-timeout', raw: '60s', reason: 'must be whole seconds from 1 to 3600' },
    { name: 'a zero timeout', key: 'proxy-read-timeout', raw: '0', reason: 'must be whole seconds from 1 to 3600' },
    { name: 'a negative timeout', key: 'proxy-read-timeout', raw: '-1', reason: 'must be whole seconds from 1 to 3600' },
    { name: 'a connect timeout nginx cannot honour', key: 'proxy-connect-timeout', raw: '76', reason: 'must be whole seconds from 1 to 75' },
    { name: 'a boolean spelt yes', key: 'use-regex', raw: 'yes', reason: 'must be "true" or "false"' },
    { name: 'a lower-case protocol', key: 'backend-protocol', raw: 'https', reason: 'must be one of HTTP, HTTPS, GRPC, GRPCS (upper case)' },
    { name: 'an unsupported protocol', key: 'backend-protocol', raw: 'AJP', reason: 'must be one of HTTP, HTTPS, GRPC, GRPCS (upper case)' },
    { name: 'a bad address in a list', key: 'whitelist-source-range', raw: '10.0.0.0/8, 300.1.1.1', reason: `${RANGES} (item 2, "300.1.1.1", is not)` },
    { name: 'an empty list item', key: 'allowlist-source-range', raw: '10.0.0.0/8,,', reason: `${RANGES} (item 2, "", is not)` },
    { name: 'a hostname in a range list', key: 'allowlist-source-range', raw: 'example.com', reason: `${RANGES} (item 1, "example.com", is not)` },
    { name: 'an IPv6 zone', key: 'allowlist-source-range', raw: 'fe80::1%eth0', reason: `${RANGES} (item 1, "fe80::1%eth0", is not)` },
    { name: 'too many ranges', key: 'allowlist-source-range', raw: Array.from({ length: 1001 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(','), reason: `${RANGES} (at most 1000 items)` },
    { name: 'a relative redirect', key: 'permanent-redirect', raw: '/new', reason: 'must be an absolute http:// or https:// URL with a host, such as https://example.com/new' },
    { name: 'a javascript: redirect', key: 'temporal-redirect', raw: 'javascript:alert(1)', reason: 'must be an absolute http:// or https:// URL with a host, such as https://example.com/new' },
    { name: 'a variable in braces', key: 'rewrite-target', raw: '/${1}', reason: 'must not contain "$" other than a capture reference like $1' },
    { name: 'an nginx variable', key: 'rewrite-target', raw: '/$request_uri', reason: 'must not contain "$" other than a capture reference like $1' },
    { name: 'a relative rewrite', key: 'rewrite-target', raw: 'app/$1', reason: 'must be an absolute path such as / or /$2, where $ may only start a capture reference $1 to $9' },
    { name: 'an upper-case namespace', key: 'auth-tls-secret', raw: 'Shop/ca', reason: 'must be a Secret name or namespace/name, in lower-case DNS-1123 form' },
    { name: 'two slashes', key: 'auth-tls-secret', raw: 'a/b/c', reason: 'must be a Secret name or namespace/name, in lower-case DNS-1123 form' },
    { name: 'a namespace without name', key: 'proxy-ssl-secret', raw: 'shop/', reason: 'must be a Secret name or namespace/name, in lower-case DNS-1123 form' },
    { name: 'a cookie name nginx cannot read', key: 'session-cookie-name', raw: 'my-cookie', reason: 'must be a cookie name of letters, digits and _ (at most 64)' },
    { name: 'an origin with a path', key: 'cors-allow-origin', raw: 'https://example.com/app', reason: 'must be * or origins like https://example.com, https://*.example.com:8443 or app://localhost separated by commas (item 1, "https://example.com/app", is not)' },
    { name: 'a temporary code as permanent', key: 'permanent-redirect-code', raw: '302', reason: 'must be 301 or 308' },
    { name: 'a value over the length cap', key: 'rewrite-target', raw: `/${'a'.repeat(1024)}`, reason: 'is 1025 characters long; at most 1024 are allowed' },
    { name: 'a YAML boolean that was not quoted', key: 'use-regex', raw: true, reason: 'must be a string (quote it in YAML)' },
    { name: 'a key outside the catalog', key: 'mirror-target', raw: 'https://x', reason: 'is not an annotation Gatehouse supports' },
  ])('$name', ({ key, raw, reason }) => {
    expect(checkAnnotationValue(key, raw)).toEqual({ ok: false, reason });
  });
});

describe('hostile values are refused by every non-snippet annotation', () => {
  const hostile: [string, string][] = [
    ['CVE-2021-25742 style break-out', '/foo;\n}'],
    ['IngressNightmare load_module', '"; load_module /tmp/x.so; #'],
    ['CVE-2023-5044 style variable', '${jndi:ldap://x}'],
    ['a closing brace and new server', '}\nserver { listen 1; }'],
    ['a Unicode line separator', '/a\u2028b'],
    ['NUL', '/a\u0000'],
    ['a backslash escape', '/a\\x3b'],
    ['a very long value', '/'.padEnd(300_000, 'a')],
    ['a capture reference followed by a semicolon', '/$1;'],
  ];
  const keys = (ANNOTATION_CATALOG as readonly AnnotationEntry[]).filter((e) => e.kind !== 'snippet').map((e) => e.key);
  test.for(hostile)('%s', ([, value]) => {
    for (const key of keys) expect(checkAnnotationValue(key, value).ok, key).toBe(false);
  });
});

describe('parseAnnotations', () => {
  test('returns accepted values typed, keyed without the prefix', () => {
    const { values, findings, rejected } = parse({
      [`${P}proxy-read-timeout`]: '60',
      [`${P}use-regex`]: 'true',
      [`${P}allowlist-source-range`]: '10.0.0.0/8',
      'example.com/other': 'x',
    });
    expect(findings).toEqual([]);
    expect(rejected).toBe(false);
    const timeout = values['proxy-read-timeout'];
    expect(timeout).toBe(60);
    expect(values['use-regex']).toBe(true);
    expect(values['allowlist-source-range']).toEqual(['10.0.0.0/8']);
    expect(Object.keys(values)).toHaveLength(3);
  });

  test('never returns a refused value and marks the Ingress rejected', () => {
    const parsed = parse({ [`${P}proxy-body-size`]: '10 MB', [`${P}proxy-read-timeout`]: '60' });
    expect(parsed.values['proxy-body-size']).toBeUndefined();
    expect(parsed.values['proxy-read-timeout']).toBe(60);
    expect(parsed.rejected).toBe(true);
  });

  test('does not return an unknown annotation and does not reject for it', () => {
    const parsed = parse({ [`${P}made-up-setting`]: 'x' });
    expect(parsed.values).toEqual({});
    expect(parsed.rejected).toBe(false);
    expect(parsed.findings.map((f) => f.severity)).toEqual(['warn']);
  });

  test('does not return an annotation above the risk level', () => {
    const parsed = parse({ [`${P}rewrite-target`]: '/' }, { annotationsRiskLevel: 'low' });
    expect(parsed.values['rewrite-target']).toBeUndefined();
    expect(parsed.rejected).toBe(true);
  });

  test('accepts an annotation at exactly the risk level', () => {
    expect(parse({ [`${P}rewrite-target`]: '/' }, { annotationsRiskLevel: 'medium' }).values['rewrite-target']).toBe('/');
  });

  test('never returns a snippet: disabled by default, and not implemented by the controller even with both flags', () => {
    const snippet = { [`${P}configuration-snippet`]: 'more_set_headers "A: b";\n' };
    for (const options of [{}, { allowSnippetAnnotations: true }, { allowSnippetAnnotations: true, annotationsRiskLevel: 'critical' as const }]) {
      const parsed = parse(snippet, options);
      expect(parsed.values['configuration-snippet']).toBeUndefined();
      expect(parsed.rejected).toBe(true);
    }
    expect(parse(snippet, { allowSnippetAnnotations: true, annotationsRiskLevel: 'critical' }).findings[0]?.message).toBe(
      `${P}configuration-snippet (raw nginx configuration (snippets)) is not implemented by the bundled controller yet; the Ingress is refused rather than served without it`,
    );
  });

  test('a snippet with a NUL fails the schema whatever the flags', () => {
    expect(checkAnnotationValue('server-snippet', 'return 200;\u0000')).toEqual({ ok: false, reason: 'must not contain a NUL character (U+0000)' });
  });

  test.for([
    ['a refused catalog entry', 'configuration-snippet', 'proxy_set_header X-Extra 1;'],
    ['a refused key known by name only', 'auth-keepalive', '10'],
    ['an unknown key of a refused family', 'limit-requests-per-hour', '100'],
  ])('never returns %s and rejects the Ingress', ([, key, raw]) => {
    const parsed = parse({ [`${P}${key}`]: raw });
    expect(parsed.values).toEqual({});
    expect(parsed.rejected).toBe(true);
    expect(parsed.findings.map((f) => f.severity)).toEqual(['deny']);
  });

  // affinity-mode was ignored (with a warning) until the controller rendered persistent affinity.
  test('returns affinity-mode, which the controller renders, without a warning', () => {
    const parsed = parse({ [`${P}affinity`]: 'cookie', [`${P}affinity-mode`]: 'persistent' });
    expect(parsed.values['affinity-mode']).toBe('persistent');
    expect(parsed.rejected).toBe(false);
    expect(parsed.findings).toEqual([]);
  });

  test('drops whitelist-source-range when allowlist-source-range is also set', () => {
    const parsed = parse({ [`${P}whitelist-source-range`]: '0.0.0.0/0', [`${P}allowlist-source-range`]: '10.0.0.0/8' });
    expect(parsed.values['whitelist-source-range']).toBeUndefined();
    expect(parsed.values['allowlist-source-range']).toEqual(['10.0.0.0/8']);
    expect(parsed.rejected).toBe(false);
  });

  // The controller renders canaries now (annotations/features/canary.ts); unknown canary-* keys
  // stay refused by family (catalog.test.ts).
  test('canary annotations are accepted and typed', () => {
    const parsed = parse({ [`${P}canary`]: 'true', [`${P}canary-weight`]: '10' });
    expect(parsed.values).toEqual({ canary: true, 'canary-weight': 10 });
    expect(parsed.findings).toEqual([]);
    expect(parsed.rejected).toBe(false);
  });

  test('an Ingress without annotations has no values and no findings', () => {
    const parsed = parseAnnotations(ingress(), DEFAULT_RULE_OPTIONS);
    expect(parsed).toEqual({ values: {}, findings: [], rejected: false, verdicts: [] });
  });

  test('annotations that are not an object do not throw', () => {
    const ing = { ...ingress(), metadata: { name: 'web', namespace: 'shop', annotations: null as unknown as Record<string, string> } };
    expect(parseAnnotations(ing, DEFAULT_RULE_OPTIONS).findings).toEqual([]);
  });
});

describe('parseAnnotations: one verdict per annotation, matching its finding', () => {
  // Keys whose answer changes as features land are read from the catalog, not written here.
  const refusedKey = UNIMPLEMENTED_ANNOTATIONS.find((e) => e.controller === 'refuses')?.key;
  const ignoredKey = UNIMPLEMENTED_ANNOTATIONS.find((e) => e.controller === 'ignores')?.key;
  test.for<{ name: string; annotations: Record<string, unknown>; options?: Partial<RuleOptions>; status: string; reason?: string }>([
    { name: 'a rendered value', annotations: { [`${P}proxy-read-timeout`]: '60' }, status: 'rendered' },
    { name: 'an invalid value', annotations: { [`${P}proxy-body-size`]: '10 MB' }, status: 'refused', reason: 'invalid-value' },
    { name: 'a value above the risk level', annotations: { [`${P}rewrite-target`]: '/' }, options: { annotationsRiskLevel: 'low' }, status: 'refused', reason: 'risk-level' },
    { name: 'a snippet', annotations: { [`${P}server-snippet`]: 'return 200;' }, status: 'refused', reason: 'snippets-disabled' },
    { name: 'a key of a refused feature', annotations: { [`${P}${refusedKey}`]: 'x' }, status: 'refused', reason: 'not-implemented' },
    { name: 'a key of an ignored feature', annotations: { [`${P}${ignoredKey}`]: 'x' }, status: 'ignored', reason: 'not-implemented' },
    { name: 'a key Gatehouse does not know', annotations: { [`${P}made-up-setting`]: 'x' }, status: 'unknown', reason: 'unknown' },
    {
      name: 'whitelist-source-range beside allowlist-source-range',
      annotations: { [`${P}allowlist-source-range`]: '10.0.0.0/8', [`${P}whitelist-source-range`]: '10.0.0.0/8' },
      status: 'ignored',
      reason: 'superseded',
    },
  ])('$name: $status', ({ annotations, options, status, reason }) => {
    const parsed = parse(annotations, options);
    const last = parsed.verdicts.at(-1);
    expect(last?.annotation).toBe(Object.keys(annotations).at(-1));
    expect(last?.status).toBe(status);
    expect(last?.reason).toBe(reason);
    // The verdict's message is the finding on that annotation.
    const onKey = parsed.findings.filter((f) => f.path === `metadata.annotations[${last?.annotation}]`).map((f) => f.message);
    expect(onKey).toEqual(last?.message === undefined ? [] : [last.message]);
  });

  test('lists only nginx.ingress.kubernetes.io annotations, in the Ingress order', () => {
    const parsed = parse({ [`${P}use-regex`]: 'true', 'example.com/other': 'x', [`${P}proxy-read-timeout`]: '60' });
    expect(parsed.verdicts.map((v) => v.annotation)).toEqual([`${P}use-regex`, `${P}proxy-read-timeout`]);
  });
});

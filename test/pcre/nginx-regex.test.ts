import { describe, expect, test } from 'vitest';
import { compileNginxRegex, compileRegexLocation, MAX_REGEX_PATH_LENGTH, regexCacheUsage, regexLocationPattern } from '../../src/pcre/nginx-regex.js';

function jsAccepts(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

// Each case is a pattern on which JavaScript's RegExp and PCRE2 (as nginx uses it) disagree:
// checking paths with JavaScript would let nginx-breaking paths through, or deny valid ones.
describe('where JavaScript and PCRE2 disagree', () => {
  test.for([
    { name: 'variable-length lookbehind', pattern: '(?<=a+)b', message: 'lookbehind assertion is not fixed length', offset: 0 },
    { name: 'unknown Unicode property', pattern: '\\p{Foo}', message: 'unknown property after \\P or \\p', offset: 7 },
  ])('PCRE2 rejects $name, which JavaScript accepts', ({ pattern, message, offset }) => {
    expect(jsAccepts(pattern)).toBe(true);
    expect(compileNginxRegex(pattern)).toEqual({ ok: false, message, offset });
  });

  test.for([
    { name: 'a possessive quantifier', pattern: 'a++' },
    { name: 'an atomic group', pattern: '(?>a)' },
    { name: 'an inline flag', pattern: '(?i)abc' },
    { name: 'a Python-style named group', pattern: '(?P<id>\\d+)' },
  ])('PCRE2 accepts $name, which JavaScript rejects', ({ pattern }) => {
    expect(jsAccepts(pattern)).toBe(false);
    expect(compileNginxRegex(pattern).ok).toBe(true);
  });
});

describe('compileNginxRegex', () => {
  test.for([
    { pattern: 'x{2,1}', message: 'numbers out of order in {} quantifier', offset: 5 },
    { pattern: '[z-a]', message: 'range out of order in character class', offset: 3 },
    { pattern: '/app(', message: 'missing closing parenthesis', offset: 5 },
    { pattern: '/app\\', message: '\\ at end of pattern', offset: 5 },
    { pattern: '*foo', message: 'quantifier does not follow a repeatable item', offset: 0 },
  ])('rejects $pattern: $message at $offset', ({ pattern, message, offset }) => {
    expect(compileNginxRegex(pattern)).toEqual({ ok: false, message, offset });
  });

  test.for([
    { pattern: '/something', count: 0 },
    { pattern: '/app(/|$)(.*)', count: 2 },
    { pattern: '(?<name>a)(?:b)(c)', count: 2 },
    { pattern: '(?|(a)|(b))', count: 1 },
    { pattern: '\\(not\\)[()]', count: 0 },
    { pattern: '(?=(a))', count: 1 },
  ])('counts $count capture groups in $pattern', ({ pattern, count }) => {
    expect(compileNginxRegex(pattern)).toEqual({ ok: true, captureCount: count });
  });

  test('reports the offset as a JavaScript string index for non-ASCII patterns', () => {
    expect(compileNginxRegex('/é€(')).toEqual({ ok: false, message: 'missing closing parenthesis', offset: 4 });
  });

  test('does not compile in UTF mode (nginx does not set PCRE2_UTF), so invalid UTF-8 is fine', () => {
    expect(compileNginxRegex('\\xff(.)', { caseless: true })).toEqual({ ok: true, captureCount: 1 });
  });

  test('returns the cached result for a pattern seen before', () => {
    expect(compileNginxRegex('/cached(.*)')).toBe(compileNginxRegex('/cached(.*)'));
  });
});

describe('compileRegexLocation', () => {
  test('anchors the path as ingress-nginx renders regex locations', () => {
    expect(regexLocationPattern('/app(.*)')).toBe('^/app(.*)');
  });

  test('rejects a start-of-pattern verb, which is only valid unanchored', () => {
    expect(compileNginxRegex('(*UTF)/x').ok).toBe(true);
    expect(compileRegexLocation('(*UTF)/x').ok).toBe(false);
  });

  test('reports error offsets within the path, not the anchored pattern', () => {
    expect(compileRegexLocation('/app(')).toEqual({ ok: false, message: 'missing closing parenthesis', offset: 5 });
  });

  test('reports offset 0 for an error at the path start', () => {
    expect(compileRegexLocation('*foo')).toEqual({ ok: false, message: 'quantifier does not follow a repeatable item', offset: 0 });
  });
});

describe('named captures that are nginx variables', () => {
  // nginx makes each named capture a variable of the whole http{} block: `nginx -t` fails on a
  // built-in one ("the duplicate "host" variable"), and any other existing one is replaced.
  test.for([
    { name: 'host', why: "would redefine nginx's $host variable" },
    { name: 'request_uri', why: "would redefine nginx's $request_uri variable" },
    { name: 'HOST', why: "would redefine nginx's $host variable" },
    { name: 'args', why: "would redefine nginx's $args variable" },
    { name: 'ssl_client_verify', why: "would redefine nginx's $ssl_client_verify variable" },
    { name: 'http_upgrade', why: "would replace nginx's $http_upgrade variable (of the $http_* family) on every host" },
    { name: 'cookie_route', why: "would replace nginx's $cookie_route variable (of the $cookie_* family) on every host" },
    { name: 'connection_upgrade', why: "would redefine $connection_upgrade, a variable of Gatehouse's nginx.conf, on every host" },
    { name: 'gh_affinity', why: "would redefine $gh_affinity, a variable of Gatehouse's nginx.conf, on every host" },
  ])('refuses (?<$name>…): $why', ({ name, why }) => {
    expect(compileRegexLocation(`/(?<${name}>[a-z]+)`)).toEqual({ ok: false, message: `named capture "${name}" ${why}`, offset: 4 });
  });

  test('finds the name in every PCRE2 spelling of a named group', () => {
    expect(compileRegexLocation("/a/(?P<uri>x)").ok).toBe(false);
    expect(compileRegexLocation("/a/(?'uri'x)").ok).toBe(false);
  });

  test.for(['item', 'id', 'version', 'hosts', 'my_host'])('accepts a capture named %s', (name) => {
    expect(compileRegexLocation(`/(?<${name}>[a-z]+)`)).toEqual({ ok: true, captureCount: 1 });
  });

  test('applies to any regex nginx compiles, not only locations', () => {
    expect(compileNginxRegex('(?<scheme>https?)').ok).toBe(false);
  });
});

describe('memory', () => {
  test(`a path longer than ${MAX_REGEX_PATH_LENGTH} characters is refused without being compiled or cached`, () => {
    const before = regexCacheUsage();
    const check = compileRegexLocation(`/${'a('.repeat(50_000)}`);
    expect(check).toEqual({ ok: false, message: `longer than ${MAX_REGEX_PATH_LENGTH} characters, not compiled`, offset: MAX_REGEX_PATH_LENGTH });
    expect(regexCacheUsage().entries).toBe(before.entries);
  });

  test('a path of exactly the limit is compiled', () => {
    expect(compileRegexLocation(`/${'a'.repeat(MAX_REGEX_PATH_LENGTH - 1)}`)).toEqual({ ok: true, captureCount: 0 });
  });

  test('the compile cache stays within its byte bound when every review brings new long paths', () => {
    // 200 reviews × 30 paths of the longest allowed length: 6,000 patterns, ~24 MB as keys.
    for (let review = 0; review < 200; review++) {
      for (let p = 0; p < 30; p++) compileRegexLocation(`/r${review}p${p}/${'x'.repeat(MAX_REGEX_PATH_LENGTH - 16)}`);
    }
    const usage = regexCacheUsage();
    expect(usage.bytes).toBeLessThanOrEqual(usage.maxBytes);
    expect(usage.maxBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
  });
});

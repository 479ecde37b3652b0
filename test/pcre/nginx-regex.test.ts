import { describe, expect, test } from 'vitest';
import { compileNginxRegex, compileRegexLocation, regexLocationPattern } from '../../src/pcre/nginx-regex.js';

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

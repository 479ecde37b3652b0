import { describe, expect, test } from 'vitest';
import { backtrackingProblem, regexBacktracking, regexLocationBacktracking } from '../../src/pcre/backtracking.js';

// Verdicts come from recheck's analysis of the regex nginx compiles: `~* "^<path>"`.
describe('regexLocationBacktracking', () => {
  test.for(['/', '/api', '/app(/|$)(.*)', '/api/v[0-9]+/(.*)', '/(.+)\\.(jpg|png)$', '/[^/]+/[^/]+$', '/(?<item>[a-z]+)/(.*)', '/a++b', '/(.*)/(.*)'])(
    '%s is safe',
    (path) => {
      expect(regexLocationBacktracking(path)).toEqual({ verdict: 'safe' });
    },
  );

  test.for(['/x(a|aa)+$', '/(a+)+$', '/(\\w+\\s?)*$', '/(a|a)*$'])('%s is exponential', (path) => {
    expect(regexLocationBacktracking(path)).toMatchObject({ verdict: 'exponential', attack: expect.any(String) });
  });

  test.for([
    { path: '/.*a.*b$', degree: 2 },
    { path: '/.*/.*/.*x', degree: 3 },
  ])('$path is polynomial of degree $degree', ({ path, degree }) => {
    expect(regexLocationBacktracking(path)).toMatchObject({ verdict: 'polynomial', degree });
  });

  test('is judged caseless, as nginx matches `~*`: /x(a|A)+$ is exponential', () => {
    expect(regexLocationBacktracking('/x(a|A)+$').verdict).toBe('exponential');
  });

  test('a possessive quantifier is analysed as a plain one: stricter than nginx, never laxer', () => {
    expect(regexLocationBacktracking('/x(a|aa)++$').verdict).toBe('exponential');
  });

  test('30 alternatives in a row are combinatorial, which recheck (input length only) calls safe', () => {
    // nginx spent 4.3 s on one 31-character request against this path.
    expect(regexLocationBacktracking(`/${'(a|a)'.repeat(30)}b`)).toEqual({ verdict: 'combinatorial', ways: 2 ** 30 });
  });

  test('syntax the analyser cannot read is unknown', () => {
    expect(regexLocationBacktracking('/(a(?1)?b)')).toMatchObject({ verdict: 'unknown' });
  });
});

describe('regexBacktracking', () => {
  test('returns the cached verdict for a pattern seen before', () => {
    expect(regexBacktracking('^/cached-(x+)+y')).toBe(regexBacktracking('^/cached-(x+)+y'));
  });

  test('past the deadline, an unseen pattern is not analysed, and that answer is not cached', () => {
    const pattern = '^/deadline-(a|b)+$';
    expect(regexBacktracking(pattern, performance.now() - 1)).toMatchObject({ verdict: 'unknown', reason: expect.stringContaining('too long') });
    expect(regexBacktracking(pattern)).toEqual({ verdict: 'safe' });
    expect(regexBacktracking(pattern, performance.now() - 1)).toEqual({ verdict: 'safe' });
  });

  test("leaves recheck's backend selection in the environment as it found it", () => {
    const before = process.env['RECHECK_SYNC_BACKEND'];
    regexBacktracking('^/env-check-(a)');
    expect(process.env['RECHECK_SYNC_BACKEND']).toBe(before);
  });
});

describe('backtrackingProblem', () => {
  test('is undefined for a safe path', () => {
    expect(backtrackingProblem('/app(/|$)(.*)')).toBeUndefined();
  });

  test.for([
    { path: '/(a+)+$', start: 'can take exponential time to match (catastrophic backtracking; e.g. ' },
    { path: '/.*a.*b$', start: 'can take O(n^2) time to match (catastrophic backtracking; e.g. ' },
    { path: '/(?(1)a|b)', start: 'could not be proven free of catastrophic backtracking: it uses PCRE2 syntax' },
    { path: `/${'(a|a)'.repeat(30)}b`, start: 'has about 1.1e+9 ways to match one prefix' },
  ])('says why for $path', ({ path, start }) => {
    expect(backtrackingProblem(path)?.startsWith(start)).toBe(true);
  });
});

import { describe, expect, test } from 'vitest';
import { admissionWarnings, cutText, MAX_WARNING_CHARS, MAX_WARNINGS } from '../../src/admission/response-limits.js';

describe('cutText', () => {
  test.for([
    ['a short text unchanged', 'abc', 5, 'abc'],
    ['a text of exactly max unchanged', 'abcde', 5, 'abcde'],
    ['a longer text cut with an ellipsis', 'abcdefgh', 5, 'abcd…'],
    ['never half a surrogate pair', `abc${'😀'}def`, 5, 'abc…'],
  ] as const)('%s', ([, text, max, expected]) => {
    const cut = cutText(text, max);
    expect(cut).toBe(expected);
    expect(cut.length).toBeLessThanOrEqual(max);
  });
});

describe('admissionWarnings', () => {
  // The API server keeps warnings whole while all of a request's total at most 4096 characters,
  // then cuts each to 256 and drops the rest (k8s.io/apiserver endpoints/filters/warning.go).
  const API_SERVER_TOTAL = 4096;

  test('keeps a few short warnings as they are', () => {
    expect(admissionWarnings(['[a] x: y', '[b] x: z'])).toEqual(['[a] x: y', '[b] x: z']);
  });

  test('lists the first ones and counts the rest, within what the API server passes whole', () => {
    const warnings = Array.from({ length: 1000 }, (_, i) => `[annotations] metadata.annotations[k${i}]: ${'x'.repeat(600)}`);
    const out = admissionWarnings(warnings);
    expect(out).toHaveLength(MAX_WARNINGS + 1);
    expect(out.at(-1)).toBe(`[gatehouse] … and ${1000 - MAX_WARNINGS} more warnings (gatehouse check lists them all)`);
    for (const w of out) expect(w.length).toBeLessThanOrEqual(MAX_WARNING_CHARS);
    expect(out.join('').length).toBeLessThanOrEqual(API_SERVER_TOTAL);
  });

  test('counts warnings left out before, even when the list itself fits', () => {
    expect(admissionWarnings(['[a] x: y'], 7)).toEqual(['[a] x: y', '[gatehouse] … and 7 more warnings (gatehouse check lists them all)']);
    expect(admissionWarnings([], 1)).toEqual(['[gatehouse] … and 1 more warning (gatehouse check lists them all)']);
  });

  test('writes control characters as escapes: the API server drops a warning that has one', () => {
    expect(admissionWarnings(['a\nb\tc\u0000d\u007fe\u0085f'])).toEqual(['a\\nb\\tc\\u0000d\\u007fe\\u0085f']);
  });
});

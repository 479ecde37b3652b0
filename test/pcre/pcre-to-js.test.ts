import { describe, expect, test } from 'vitest';
import { jsBacktrackingEquivalent } from '../../src/pcre/pcre-to-js.js';

describe('jsBacktrackingEquivalent', () => {
  test.for([
    { name: 'plain syntax, with "/" escaped', pcre: '^/app(/|$)(.*)', js: '^\\/app(\\/|$)(.*)' },
    { name: 'possessive quantifiers, as the plain ones (which backtrack more)', pcre: 'a++b*+c?+d{2,3}+', js: 'a+b*c?d{2,3}' },
    { name: 'a lazy quantifier, kept', pcre: 'a+?b', js: 'a+?b' },
    { name: 'an atomic group, as a plain one', pcre: '(?>ab)+', js: '(?:ab)+' },
    { name: 'a branch-reset group, as a plain one', pcre: '(?|(a)|(b))', js: '(?:(a)|(b))' },
    { name: 'Python-style named groups and back-references', pcre: '(?P<id>\\d+)(?P=id)', js: '(?<id>\\d+)\\k<id>' },
    { name: 'an option setting, dropped (the analysis is caseless)', pcre: '(?i)abc(?-i:d)', js: 'abc(?:d)' },
    { name: 'a comment, dropped', pcre: '(?#why)a', js: 'a' },
    { name: '\\Q…\\E, as escaped literals', pcre: '\\Qa.b*\\E+', js: 'a\\.b\\*+' },
    { name: '\\A and \\z, as ^ and $', pcre: '\\A/x\\z', js: '^\\/x$' },
    { name: '\\h and \\N, as the classes they are', pcre: '\\h+\\N', js: '[ \\t\\xa0]+[^\\n]' },
    { name: 'POSIX classes, as ranges', pcre: '[[:digit:][:alpha:]_]+', js: '[0-9a-zA-Z_]+' },
    { name: 'a leading ] in a class, as a literal', pcre: '[]a]', js: '[\\]a]' },
    { name: '\\x{41}, as \\x41', pcre: '\\x{41}', js: '\\x41' },
    { name: 'a literal brace', pcre: 'a{b}', js: 'a\\{b\\}' },
  ])('rewrites $name', ({ pcre, js }) => {
    expect(jsBacktrackingEquivalent(pcre)).toBe(js);
    expect(() => new RegExp(js)).not.toThrow();
  });

  test.for([
    ['recursion', '(a(?1)?b)'],
    ['whole-pattern recursion', 'a(?R)?'],
    ['a named recursion', '(?<p>a(?&p)?)'],
    ['a conditional', '(a)?(?(1)b|c)'],
    ['a backtracking verb', 'a(*SKIP)b'],
    ['a callout', 'a(?C1)b'],
    ['extended mode', '(?x)a b'],
    ['multiline mode (^ would match after every newline)', '(?m)^a'],
    ['a Unicode property', '\\p{L}+'],
    ['a negated POSIX class', '[[:^alpha:]]'],
    ['an unknown escape', '\\K'],
    ['an unterminated class', '[abc'],
  ])('gives up on %s', ([, pcre]) => {
    expect(jsBacktrackingEquivalent(pcre!)).toBeUndefined();
  });
});

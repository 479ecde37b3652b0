import { expect, test } from 'vitest';
import { quoteValue } from '../../src/annotations/quote-value.js';

test.for<{ name: string; value: string; quoted: string }>([
  { name: 'plain text is double-quoted', value: '10 MB', quoted: '"10 MB"' },
  { name: 'newline and quote are escaped', value: '/foo;\n}"', quoted: '"/foo;\\n}\\""' },
  { name: 'a backslash is escaped', value: 'a\\b', quoted: '"a\\\\b"' },
  { name: 'U+2028 and NUL become \\u escapes', value: 'a\u2028\u0000', quoted: '"a\\u2028\\u0000"' },
  { name: 'a bidi override becomes an escape', value: '\u202e', quoted: '"\\u202e"' },
])('$name', ({ value, quoted }) => {
  expect(quoteValue(value)).toBe(quoted);
});

test('a long value is cut and its length given', () => {
  expect(quoteValue('x'.repeat(5000), 4)).toBe('"xxxx"… (5000 characters)');
});

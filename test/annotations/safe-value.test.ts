import { describe, expect, test } from 'vitest';
import { isSafeValue, unsafeCharacter, type ValueCharset } from '../../src/annotations/safe-value.js';

interface Case {
  name: string;
  value: string;
  charset?: ValueCharset;
  reason: string;
}

describe('unsafeCharacter: refused', () => {
  test.for<Case>([
    { name: 'a newline (CVE-2021-25742 style)', value: '/foo;\n}', reason: '";"' },
    { name: 'a bare newline', value: '/foo\nbar', reason: 'a newline (U+000A)' },
    { name: 'a carriage return', value: '/foo\rbar', reason: 'a carriage return (U+000D)' },
    { name: 'a tab', value: 'a\tb', reason: 'a tab (U+0009)' },
    { name: 'NUL', value: 'ok\u0000', reason: 'a NUL character (U+0000)' },
    { name: 'DEL', value: 'ok\u007f', reason: 'a control character (U+007F)' },
    { name: 'a C1 control', value: 'ok\u0085', reason: 'a non-ASCII character (U+0085)' },
    { name: 'U+2028 line separator', value: '/a\u2028b', reason: 'a Unicode line separator (U+2028)' },
    { name: 'U+2029 paragraph separator', value: '/a\u2029b', reason: 'a Unicode line separator (U+2029)' },
    { name: 'a bidi override', value: '/a\u202eb', reason: 'a non-ASCII character (U+202E)' },
    { name: 'a double quote (IngressNightmare load_module)', value: '"; load_module /tmp/x.so; #', reason: '"\\""' },
    { name: 'a single quote', value: "a'b", reason: '"\'"' },
    { name: 'a backtick', value: 'a`b', reason: '"`"' },
    { name: 'a backslash', value: 'a\\b', reason: '"\\\\"' },
    { name: 'an opening brace', value: 'a{', reason: '"{"' },
    { name: 'a closing brace', value: '}', reason: '"}"' },
    { name: 'a hash (comment)', value: 'a#b', reason: '"#"' },
    { name: 'a variable (CVE-2023-5044 style)', value: '${host}', reason: '"$"' },
    { name: '$N in a plain value', value: '/$2', reason: '"$"' },
    { name: '${...} even with capture refs', value: '/${1}', charset: 'capture-refs', reason: '"$" other than a capture reference like $1' },
    { name: 'a named variable with capture refs', value: '/$host', charset: 'capture-refs', reason: '"$" other than a capture reference like $1' },
    { name: 'a trailing $ with capture refs', value: '/a$', charset: 'capture-refs', reason: '"$" other than a capture reference like $1' },
    { name: 'NUL in a snippet', value: 'return 200;\u0000', charset: 'nginx-config', reason: 'a NUL character (U+0000)' },
    { name: 'U+2028 in a snippet', value: 'a\u2028b', charset: 'nginx-config', reason: 'a Unicode line separator (U+2028)' },
    { name: 'a carriage return in a snippet', value: 'a;\r\n', charset: 'nginx-config', reason: 'a carriage return (U+000D)' },
  ])('$name', ({ value, charset, reason }) => {
    expect(unsafeCharacter(value, charset)).toBe(reason);
  });
});

describe('unsafeCharacter: accepted', () => {
  test.for<{ name: string; value: string; charset?: ValueCharset }>([
    { name: 'a size', value: '8m' },
    { name: 'a CIDR list with spaces', value: '10.0.0.0/8, 192.168.0.0/16' },
    { name: 'an IPv6 range', value: '2001:db8::/32' },
    { name: 'a URL with a query', value: 'https://example.com/new?x=1&y=2' },
    { name: 'the empty string', value: '' },
    { name: '$N with capture refs', value: '/$2', charset: 'capture-refs' },
    { name: 'several $N with capture refs', value: '/$1/x/$9', charset: 'capture-refs' },
    { name: 'a multi-line snippet', value: 'more_set_headers "A: b";\n\tproxy_set_header X $host;', charset: 'nginx-config' },
  ])('$name', ({ value, charset }) => {
    expect(unsafeCharacter(value, charset)).toBeUndefined();
    expect(isSafeValue(value, charset)).toBe(true);
  });
});

test('isSafeValue defaults to the plain charset', () => {
  expect(isSafeValue('/$1')).toBe(false);
});

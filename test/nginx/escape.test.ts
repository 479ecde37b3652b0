import { describe, expect, test } from 'vitest';
import { escapeFor, regexLiteral, type EscapeContext } from '../../src/nginx/escape.js';

describe('escapeFor accepts what renders safely', () => {
  test.for<[EscapeContext, string, string]>([
    ['host', 'shop.example.com', 'shop.example.com'],
    ['header-name', 'X-Canary-2', 'X-Canary-2'],
    ['pcre', '^Do[A-Z][a-z]+y$', '^Do[A-Z][a-z]+y$'],
    ['pcre', '^(beta|v\\d{2})$', '^(beta|v\\d{2})$'],
    ['pcre', '^a\\.b {x}; #c', '^a\\.b {x}; #c'],
    ['host', 'Shop.Example.COM', 'shop.example.com'],
    ['host', '*.example.com', '*.example.com'],
    ['path', '/', '/'],
    ['path', '/api/v1/users.json', '/api/v1/users.json'],
    ['path', '/a-b_c~d%20e', '/a-b_c~d%20e'],
    ['regex', '/something(/|$)(.*)', '/something(/|$)(.*)'],
    ['regex', '/api/v[0-9]+/.*', '/api/v[0-9]+/.*'],
    ['regex', '/a\\.b', '/a\\.b'],
    ['rewrite', '/$2', '/$2'],
    ['rewrite', '/api/$1?x=1', '/api/$1?x=1'],
    ['url', 'https://example.com/new?x=1', 'https://example.com/new?x=1'],
    ['header', 'https://a.example.com', 'https://a.example.com'],
    ['header', 'GET, POST', 'GET, POST'],
    ["quoted-header", "default-src 'self'; img-src * {x} #y", "default-src 'self'; img-src * {x} #y"],
    ['address', '10.0.0.1', '10.0.0.1'],
    ['address', 'fd00::1', '[fd00::1]'],
    ['address', 'backend.default.svc.cluster.local', 'backend.default.svc.cluster.local'],
    ['identifier', 'my-service', 'my-service'],
    ['cookie', 'INGRESS_COOKIE', 'INGRESS_COOKIE'],
    ['size', '8m', '8m'],
    ['size', '0', '0'],
    ['cidr', '10.0.0.0/8', '10.0.0.0/8'],
    ['cidr', '2001:db8::/32', '2001:db8::/32'],
    ['cidr', '192.168.1.7', '192.168.1.7'],
  ])('%s %j → %j', ([context, value, rendered]) => {
    expect(escapeFor(context, value)).toBe(rendered);
  });
});

describe('escapeFor refuses what could change nginx.conf', () => {
  test.for<[EscapeContext, string]>([
    ['header-name', 'X_Canary'],
    ['header-name', 'X Canary'],
    ['header-name', ''],
    ['pcre', 'a"b'],
    ['pcre', "a'b"],
    ['pcre', 'a\\"b'],
    ['pcre', '${host}'],
    ['pcre', 'a$b'],
    ['pcre', 'a\\x3b'],
    ['pcre', 'a\nb'],
    ['pcre', '(unclosed'],
    ['pcre', '(?<uri>x)'],
    ['pcre', ''],
    ['host', 'a.com;'],
    ['quoted-header', 'a" always; return 200 "x'],
    ['quoted-header', 'a\\'],
    ['quoted-header', '$host'],
    ['quoted-header', 'a\nb'],
    ['quoted-header', 'caf\u00e9'],
    ['host', 'a.com\nserver_name b'],
    ['host', '*.*.a.com'],
    ['host', 'a..com'],
    ['host', '-a.com'],
    ['host', 'a_b.com'],
    ['path', 'api'],
    ['path', '/a b'],
    ['path', '/a;b'],
    ['path', '/a"b'],
    ['path', "/a'b"],
    ['path', '/a{b}'],
    ['path', '/a$b'],
    ['path', '/a\\b'],
    ['path', '/a#b'],
    ['path', '/ünïcode'],
    ['regex', 'no-slash(.*)'],
    ['regex', '/a"b'],
    ['regex', '/a b'],
    ['regex', '/a\\"'],
    ['regex', '/a\\\\b'],
    ['regex', '/a\\'],
    ['regex', '/(unclosed'],
    ['regex', '/a\nb'],
    ['rewrite', '/$host'],
    ['rewrite', '/x;return 200'],
    ['rewrite', 'http://evil/'],
    ['rewrite', '/$0'],
    ['url', 'javascript:alert(1)'],
    ['url', 'https://a.com/$host'],
    ['url', 'https://a.com/"x'],
    ['url', 'https://a.com/ x'],
    ['url', 'https://a.com/;x'],
    ['header', 'a"b'],
    ['header', 'a$b'],
    ['header', 'a\\b'],
    ['header', 'a\r\nSet-Cookie: x'],
    ['header', 'a;b'],
    ['header', 'a{b'],
    ['address', '10.0.0.1:80'],
    ['address', 'a b'],
    ['address', 'fe80::1%eth0'],
    ['identifier', 'Upper'],
    ['identifier', 'a_b'],
    ['identifier', 'a;b'],
    ['cookie', 'a-b'],
    ['cookie', 'a=b'],
    ['cookie', ''],
    ['size', '8 m'],
    ['size', '8t'],
    ['size', '-1'],
    ['cidr', '10.0.0.0/33'],
    ['cidr', '10.0.0.0/8/8'],
    ['cidr', 'all'],
    ['cidr', 'fe80::1%eth0/64'],
  ])('%s %j', ([context, value]) => {
    expect(escapeFor(context, value)).toBeUndefined();
  });

  test('a value longer than 2048 characters is refused in every context', () => {
    expect(escapeFor('path', `/${'a'.repeat(2048)}`)).toBeUndefined();
  });
});

describe('regexLiteral', () => {
  test('escapes every PCRE metacharacter of a literal path', () => {
    expect(regexLiteral('/a.b+(c)*')).toBe('/a\\.b\\+\\(c\\)\\*');
  });
});

import { describe, expect, test } from 'vitest';
import { isCorsOrigin, isHttpUrl, isIpOrCidr } from '../../src/annotations/formats.js';

describe('isIpOrCidr', () => {
  test.for([
    ['10.0.0.0/8', true],
    ['192.168.1.7', true],
    ['0.0.0.0/0', true],
    ['2001:db8::/32', true],
    ['::/0', true],
    ['::1', true],
    ['::ffff:10.0.0.1/128', true],
    ['10.0.0.0/33', false],
    ['2001:db8::/129', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/08', false],
    ['10.0.0.0/8/8', false],
    ['300.1.1.1', false],
    ['010.0.0.1', false],
    ['10.0.0', false],
    ['fe80::1%eth0', false],
    ['example.com', false],
    ['', false],
  ] as const)('%s → %s', ([value, ok]) => {
    expect(isIpOrCidr(value)).toBe(ok);
  });
});

describe('isHttpUrl', () => {
  test.for([
    ['https://example.com/new', true],
    ['http://shop.example.com:8080/path?x=1&y=2', true],
    ['https://[2001:db8::1]/x', true],
    ['https://example.com', true],
    ['https://EXAMPLE.com/x', true],
    ['http://0x7f.1/', false],
    ['http://2130706433/', false],
    ['https://example.com@evil.example/', false],
    ['ftp://example.com/', false],
    ['//example.com/x', false],
    ['/relative', false],
    ['https://', false],
    ['https:///path', false],
    ['https://user:pw@example.com/', false],
    ['https://example.com/a b', false],
    ['https://example.com/#frag', false],
    ['https://example.com/$host', false],
    ['https://example.com/<script>', false],
    ['javascript:alert(1)', false],
  ] as const)('%s → %s', ([value, ok]) => {
    expect(isHttpUrl(value)).toBe(ok);
  });
});

describe('isCorsOrigin', () => {
  test.for([
    ['*', true],
    ['https://example.com', true],
    ['http://localhost:3000', true],
    ['https://*.example.com', true],
    ['https://*.example.com:8443', true],
    ['http://10.0.0.1:8080', true],
    ['https://[::1]:8443', true],
    // Any URI scheme: ingress-nginx's documented example, and mobile app origins.
    ['myprotocol://example.org:1199', true],
    ['capacitor://localhost', true],
    ['Https://example.com', false],
    ['1http://example.com', false],
    ['javascript://example.com/', false],
    ['https://example.com/', false],
    ['https://example.com/path', false],
    ['example.com', false],
    ['https://*', false],
    ['https://a.*.example.com', false],
    ['https://example.com:0', false],
    ['https://example.com:70000', false],
    ['https://[nothex]', false],
    ['ftp://example.com', true], // any scheme, as ingress-nginx
  ] as const)('%s → %s', ([value, ok]) => {
    expect(isCorsOrigin(value)).toBe(ok);
  });
});

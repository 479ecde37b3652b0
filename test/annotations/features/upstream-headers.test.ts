import { describe, expect, test } from 'vitest';
import { upstreamHeadersFeature } from '../../../src/annotations/features/upstream-headers.js';
import type { LocationContext } from '../../../src/annotations/feature.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import { inheritedHeaders, PROXY_HEADERS } from '../../../src/nginx/proxy-headers.js';

const CTX: LocationContext = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c/certs', match: 'prefix', path: '/' };

describe('request header values', () => {
  test.for([
    ['upstream-vhost', 'internal.example.com', true],
    ['upstream-vhost', 'app.svc:8080', true],
    ['upstream-vhost', '10.0.0.1:65535', true],
    ['upstream-vhost', 'app.svc:65536', false],
    ['upstream-vhost', '$host', false],
    ['upstream-vhost', 'a b', false],
    ['upstream-vhost', 'example.com"; return 200 "x', false],
    ['x-forwarded-prefix', '/api', true],
    ['x-forwarded-prefix', 'api', false],
    ['x-forwarded-prefix', '/a;b', false],
    ['connection-proxy-header', 'keep-alive', true],
    ['connection-proxy-header', 'close, upgrade', false],
  ] as const)('%s %j accepted: %s', ([key, value, ok]) => {
    expect(checkAnnotationValue(key, value).ok).toBe(ok);
  });
});

describe('request header directives', () => {
  test('an override sets its headers; the location repeats every other base header (nginx drops inherited proxy_set_header)', () => {
    const lines = upstreamHeadersFeature.location!({ host: 'internal.example.com', forwardedPrefix: '/api' }, CTX).directives!;
    expect(lines).toEqual(['proxy_set_header Host "internal.example.com";', 'proxy_set_header X-Forwarded-Prefix "/api";']);
    const inherited = inheritedHeaders('proxy', lines);
    expect(inherited).toHaveLength(PROXY_HEADERS.length - 1);
    expect(inherited).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
    expect(inherited.some((l) => l.startsWith('proxy_set_header Host '))).toBe(false);
  });

  test('gRPC: grpc_set_header, without Connection (HTTP/2 has none)', () => {
    const lines = upstreamHeadersFeature.location!({ connection: 'close', forwardedPrefix: '/api' }, { ...CTX, pass: 'grpc' }).directives!;
    expect(lines.every((l) => l.startsWith('grpc_set_header '))).toBe(true);
    expect(lines.some((l) => l.includes('Connection'))).toBe(false);
  });

  test('nothing where the location does not proxy', () => {
    expect(upstreamHeadersFeature.location!({ host: 'x.com' }, { ...CTX, proxies: false })).toEqual({});
  });
});

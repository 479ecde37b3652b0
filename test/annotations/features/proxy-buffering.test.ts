// Buffer sizes are bounded (one Ingress must not make nginx allocate without limit); values render
// as nginx reads them, and gRPC locations get only what the grpc module has.
import { describe, expect, test } from 'vitest';
import { proxyBufferingFeature, type ProxyBufferingConfig } from '../../../src/annotations/features/proxy-buffering.js';
import type { LocationContext } from '../../../src/annotations/feature.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

const CTX: LocationContext = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c/certs', match: 'prefix', path: '/' };

describe('proxy buffering values', () => {
  test.for([
    ['proxy-buffer-size', '256k', true],
    ['proxy-buffer-size', '257k', false],
    ['proxy-buffer-size', '1g', false],
    ['proxy-buffer-size', '1m', false],
    ['proxy-buffer-size', '0', false],
    ['proxy-buffer-size', '8 k', false],
    ['proxy-buffers-number', '4', true],
    ['proxy-buffers-number', '3', false],
    ['proxy-buffers-number', '33', false],
    ['client-body-buffer-size', '16m', true],
    ['client-body-buffer-size', '17m', false],
    ['proxy-max-temp-file-size', '0', true],
    ['proxy-max-temp-file-size', '4g', true],
    ['proxy-max-temp-file-size', '4097m', false],
    ['proxy-buffering', 'off', true],
    ['proxy-buffering', 'false', false],
    ['proxy-request-buffering', 'on', true],
    ['proxy-http-version', '1.0', true],
    ['proxy-http-version', '2', false],
  ] as const)('%s %j accepted: %s', ([key, value, ok]) => {
    expect(checkAnnotationValue(key, value).ok).toBe(ok);
  });

  test('a size over its bound says the bound and why', () => {
    expect(checkAnnotationValue('proxy-buffer-size', '1g')).toEqual({
      ok: false,
      reason: 'must be at most 256k (a bound Gatehouse sets so one Ingress cannot exhaust the controller)',
    });
  });
});

describe('proxy buffering directives', () => {
  const location = (c: ProxyBufferingConfig, pass: 'proxy' | 'grpc' = 'proxy') => proxyBufferingFeature.location!(c, { ...CTX, pass }).directives;

  test('a buffer size alone sets both proxy_buffer_size and proxy_buffers (4, as ingress-nginx)', () => {
    expect(location({ bufferSize: '16k' })).toEqual(['proxy_buffer_size 16k;', 'proxy_buffers 4 16k;']);
  });

  test('a number alone uses 4k buffers', () => {
    expect(location({ buffersNumber: 8 })).toEqual(['proxy_buffer_size 4k;', 'proxy_buffers 8 4k;']);
  });

  test('gRPC: grpc_buffer_size and client_body_buffer_size only', () => {
    expect(location({ buffering: 'off', bufferSize: '16k', buffersNumber: 8, requestBuffering: 'off', maxTempFileSize: '0', clientBodyBufferSize: '1m', httpVersion: '1.0' }, 'grpc')).toEqual([
      'client_body_buffer_size 1m;',
      'grpc_buffer_size 16k;',
    ]);
  });
});

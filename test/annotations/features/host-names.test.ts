import { describe, expect, test } from 'vitest';
import { hostNamesFeature, wwwCounterpart } from '../../../src/annotations/features/host-names.js';
import { AnnotationReader } from '../../../src/annotations/reader.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

describe('server-alias values', () => {
  test.for([
    ['www.example.com', true],
    ['a.example.com, b.example.com', true],
    ['*.example.com', false],
    ['~^www\\d+\\.example\\.com$', false],
    ['example.com;', false],
    [Array.from({ length: 17 }, (_, i) => `a${i}.com`).join(','), false],
  ] as const)('%j accepted: %s', ([value, ok]) => {
    expect(checkAnnotationValue('server-alias', value).ok).toBe(ok);
  });

  test('aliases are lowercased, sorted and de-duplicated', () => {
    expect(hostNamesFeature.parse!(new AnnotationReader({ 'server-alias': ['b.com', 'A.com', 'a.com'] }), { namespace: 'shop' })).toEqual({ aliases: ['a.com', 'b.com'] });
  });
});

describe('wwwCounterpart', () => {
  test.for([
    ['example.com', 'www.example.com'],
    ['www.example.com', 'example.com'],
    ['*.example.com', undefined],
    ['', undefined],
  ] as const)('%j → %j', ([host, other]) => {
    expect(wwwCounterpart(host)).toBe(other);
  });
});

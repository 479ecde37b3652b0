import { describe, expect, test } from 'vitest';
import { accessLogFeature } from '../../../src/annotations/features/access-log.js';

const LOCATION = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c', match: 'prefix', path: '/' } as const;

describe('access-log', () => {
  test.for([
    [false, ['access_log off;']],
    [true, []],
  ] as const)('enabled %s → %j', ([enabled, directives]) => {
    expect(accessLogFeature.location!({ enabled }, LOCATION).directives).toEqual(directives);
  });
});

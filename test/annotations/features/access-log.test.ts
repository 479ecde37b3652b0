import { describe, expect, test } from 'vitest';
import { accessLogFeature } from '../../../src/annotations/features/access-log.js';
import { ACCESS_LOG_OFF_LINE } from '../../../src/nginx/access-log.js';

const LOCATION = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/c', match: 'prefix', path: '/' } as const;

describe('access-log', () => {
  // `false` sets the variable the access log's `if=` reads, not `access_log off;`, which would also
  // silence the traffic log the metrics come from (nginx/access-log.ts).
  test.for([
    [false, { rewrite: [ACCESS_LOG_OFF_LINE] }],
    [true, {}],
  ] as const)('enabled %s → %j', ([enabled, directives]) => {
    expect(accessLogFeature.location!({ enabled }, LOCATION)).toEqual(directives);
  });
});

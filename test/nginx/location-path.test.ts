import { describe, expect, test } from 'vitest';
import type { PathType } from '../../src/k8s/types.js';
import { locationPathOf } from '../../src/nginx/location-path.js';

describe('locationPathOf: the location an Ingress path becomes', () => {
  test.for<[string | undefined, PathType | undefined, boolean, string, string]>([
    ['/foo/', 'Prefix', false, 'prefix', '/foo'], // a trailing slash in a prefix is one route with /foo
    ['/', 'Prefix', false, 'prefix', '/'],
    ['/foo/', 'Exact', true, 'exact', '/foo/'], // Exact stays exact even with use-regex
    ['/api/(.*)', 'ImplementationSpecific', true, 'regex', '/api/(.*)'],
    ['/api/', 'Prefix', true, 'regex', '/api/'], // regex on: every non-Exact path is a regex, as in ingress-nginx
    ['', 'ImplementationSpecific', false, 'prefix', '/'], // an empty path is served as "/"
    [undefined, undefined, false, 'prefix', '/'],
  ])('%j %s (regex %s) → %s %s', ([raw, pathType, regex, match, path]) => {
    expect(locationPathOf(raw, pathType, regex)).toEqual({ ok: true, match, path });
  });

  test.for<[string, PathType, boolean, string]>([
    ['/a{b}', 'ImplementationSpecific', false, 'characters'],
    ['/ä', 'ImplementationSpecific', true, 'characters'],
    ['/a\\tb', 'ImplementationSpecific', true, 'escape'],
    ['/a(', 'ImplementationSpecific', true, 'pcre'],
    ['a', 'Prefix', false, 'start'],
    [`/${'a'.repeat(2048)}`, 'Exact', false, 'length'],
  ])('%j %s (regex %s) is refused: %s', ([raw, pathType, regex, kind]) => {
    expect(locationPathOf(raw, pathType, regex)).toMatchObject({ ok: false, kind });
  });
});

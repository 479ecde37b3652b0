import { describe, expect, test } from 'vitest';
import { ingressRouteOf, routeIndexPath, routeKey } from '../../src/k8s/ingress-route.js';
import type { PathType } from '../../src/k8s/types.js';

type PathInput = [path: string | undefined, pathType: PathType | undefined, regex: boolean];

describe('ingressRouteOf: which route an Ingress path claims', () => {
  test.for<[...PathInput, string]>([
    ['/foo', 'Prefix', false, 'prefix /foo'],
    ['/foo/', 'Prefix', false, 'prefix /foo'], // element-wise: a trailing slash is ignored
    ['/foo//', 'Prefix', false, 'prefix /foo'],
    ['/', 'Prefix', false, 'prefix /'],
    ['/foo', 'ImplementationSpecific', false, 'prefix /foo'], // ingress-nginx: a prefix unless regex is on
    ['/foo/', 'ImplementationSpecific', false, 'prefix /foo'],
    ['', 'ImplementationSpecific', false, 'prefix /'], // an empty path is served as "/"
    [undefined, undefined, false, 'prefix /'],
    ['/foo', 'Exact', false, 'exact /foo'],
    ['/foo/', 'Exact', false, 'exact /foo/'], // Exact "/foo/" is not "/foo"
    ['/foo/', 'Exact', true, 'exact /foo/'], // Exact stays exact with use-regex
    ['/foo', 'ImplementationSpecific', true, 'regex /foo'],
    ['/foo/', 'ImplementationSpecific', true, 'regex /foo/'], // a regex is its source: no trimming
    ['/foo', 'Prefix', true, 'regex /foo'], // regex on: every non-Exact path of the Ingress, as in ingress-nginx
  ])('%j %s (regex %s) → %s', ([path, pathType, regex, expected]) => {
    expect(routeKey(ingressRouteOf(path, pathType, regex))).toBe(expected);
  });

  test.for<[string, PathInput, PathInput, boolean]>([
    ['Prefix /foo and /foo/', ['/foo', 'Prefix', false], ['/foo/', 'Prefix', false], true],
    ['Prefix and non-regex ImplementationSpecific, same path', ['/foo', 'Prefix', false], ['/foo', 'ImplementationSpecific', false], true],
    ['Prefix /foo/ and non-regex ImplementationSpecific /foo', ['/foo/', 'Prefix', false], ['/foo', 'ImplementationSpecific', false], true],
    ['Prefix and regex ImplementationSpecific, same path', ['/foo', 'Prefix', false], ['/foo', 'ImplementationSpecific', true], false],
    ['Exact /foo and /foo/', ['/foo', 'Exact', false], ['/foo/', 'Exact', false], false],
    ['Exact and Prefix, same path', ['/foo', 'Exact', false], ['/foo', 'Prefix', false], false],
    ['regex /foo and /foo/', ['/foo', 'ImplementationSpecific', true], ['/foo/', 'ImplementationSpecific', true], false],
    ['Prefix / and an empty ImplementationSpecific path', ['/', 'Prefix', false], ['', 'ImplementationSpecific', false], true],
  ])('%s: same route %s', ([, a, b, same]) => {
    expect(routeKey(ingressRouteOf(...a)) === routeKey(ingressRouteOf(...b))).toBe(same);
  });
});

describe('routeIndexPath: the snapshot index never separates one route', () => {
  const paths: PathInput[] = [
    ['/foo', 'Prefix', false],
    ['/foo/', 'Prefix', false],
    ['/foo//', 'ImplementationSpecific', false],
    ['/foo/', 'Exact', false],
    ['/foo/', 'ImplementationSpecific', true],
    ['/', 'Prefix', false],
    ['', 'ImplementationSpecific', false],
    [undefined, 'Prefix', true],
  ];
  test.for(paths)('%j %s (regex %s) is indexed where its route is', ([path, pathType, regex]) => {
    expect(routeIndexPath(path)).toBe(routeIndexPath(ingressRouteOf(path, pathType, regex).path));
  });

  test('a path that is not a string (an unchecked file snapshot) is indexed, not thrown on', () => {
    expect(routeIndexPath(42 as unknown as string)).toBe('');
  });
});

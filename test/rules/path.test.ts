import { describe, expect, test } from 'vitest';
import type { PathType } from '../../src/k8s/types.js';
import { pathRule } from '../../src/rules/path.js';
import { contextFor, ingress, shopCluster } from '../fixtures/builders.js';

const HINT = 'use pathType: ImplementationSpecific with nginx.ingress.kubernetes.io/use-regex: "true" for regular expressions';
const LITERAL = '"/", letters, digits, ".", "_", "-" and "~"';
const NO_PATH_MAY = 'which no path may contain (control characters, whitespace, ";", "#", quotes)';

interface Case {
  name: string;
  path: string;
  pathType: PathType;
  message?: string;
}

function check(path: string, pathType: PathType) {
  return pathRule.check(ingress({ paths: [{ path, pathType }] }), contextFor(shopCluster()));
}

describe('path rule: allowed', () => {
  test.for<Case>([
    { name: 'the root Prefix', path: '/', pathType: 'Prefix' },
    { name: 'a literal Exact path with every allowed character', path: '/a-Z_0.9~/x', pathType: 'Exact' },
    { name: 'a regex in ImplementationSpecific', path: '/app(/|$)(.*)', pathType: 'ImplementationSpecific' },
    { name: 'regex braces, classes and escapes in ImplementationSpecific', path: '/v[0-9]{1,3}/\\d+\\.json$', pathType: 'ImplementationSpecific' },
    { name: 'an empty ImplementationSpecific path', path: '', pathType: 'ImplementationSpecific' },
  ])('$name', ({ path, pathType }) => {
    expect(check(path, pathType)).toEqual([]);
  });
});

describe('path rule: denied', () => {
  test.for<Case>([
    {
      name: 'a ";" in a Prefix path (nginx directive injection)',
      path: '/foo;bar',
      pathType: 'Prefix',
      message: `Prefix path "/foo;bar" contains ";"; Prefix paths may only contain ${LITERAL}`,
    },
    {
      name: 'regex braces in a Prefix path, with the ImplementationSpecific hint',
      path: '/a{b}',
      pathType: 'Prefix',
      message: `Prefix path "/a{b}" contains "{", "}"; Prefix paths may only contain ${LITERAL}; ${HINT}`,
    },
    {
      name: 'a regex in an Exact path, with the hint',
      path: '/api/(.*)',
      pathType: 'Exact',
      message: `Exact path "/api/(.*)" contains "(", "*", ")"; Exact paths may only contain ${LITERAL}; ${HINT}`,
    },
    {
      name: 'a newline in a Prefix path, shown escaped',
      path: '/x\n}',
      pathType: 'Prefix',
      message: `Prefix path "/x\\n}" contains "\\n", "}"; Prefix paths may only contain ${LITERAL}`,
    },
    {
      name: 'a space in an Exact path',
      path: '/x y',
      pathType: 'Exact',
      message: `Exact path "/x y" contains " "; Exact paths may only contain ${LITERAL}`,
    },
    {
      name: 'a relative Prefix path',
      path: 'api',
      pathType: 'Prefix',
      message: 'Prefix path "api" must start with "/"',
    },
    {
      name: 'a relative Exact path with a bad character names both problems',
      path: 'a;b',
      pathType: 'Exact',
      message: `Exact path "a;b" must start with "/"; it contains ";"; Exact paths may only contain ${LITERAL}`,
    },
    {
      name: 'a ";" in an ImplementationSpecific path',
      path: '/foo;bar',
      pathType: 'ImplementationSpecific',
      message: `path "/foo;bar" contains ";", ${NO_PATH_MAY}`,
    },
    {
      name: 'a newline in an ImplementationSpecific regex (CVE-2021-25745-style)',
      path: '/a(.*)\nlocation /x {',
      pathType: 'ImplementationSpecific',
      message: `path "/a(.*)\\nlocation /x {" contains "\\n", " ", ${NO_PATH_MAY}`,
    },
    {
      name: 'quotes, a backtick and "#" in an ImplementationSpecific path',
      path: `/a"b'c\`d#e`,
      pathType: 'ImplementationSpecific',
      message: `path "/a\\"b'c\`d#e" contains "\\"", "'", "\`", "#", ${NO_PATH_MAY}`,
    },
    {
      name: 'a tab in an ImplementationSpecific path',
      path: '/a\tb',
      pathType: 'ImplementationSpecific',
      message: `path "/a\\tb" contains "\\t", ${NO_PATH_MAY}`,
    },
    {
      name: 'a relative ImplementationSpecific path',
      path: 'app(.*)',
      pathType: 'ImplementationSpecific',
      message: 'path "app(.*)" must start with "/"',
    },
  ])('$name', ({ path, pathType, message }) => {
    const field = 'spec.rules[0].http.paths[0].path';
    expect(check(path, pathType)).toEqual([{ rule: 'path', severity: 'deny', path: field, message }]);
  });

  test('a path without pathType is judged as ImplementationSpecific', () => {
    const ing = ingress();
    const noType = { ...ing, spec: { rules: [{ http: { paths: [{ path: '/a;b', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } };
    expect(pathRule.check(noType, contextFor(shopCluster())).map((f) => f.message)).toEqual([`path "/a;b" contains ";", ${NO_PATH_MAY}`]);
  });

  test('every bad path of every rule is reported, at its own field path', () => {
    const ing = ingress({
      rules: [
        { host: 'a.example.com', paths: [{ path: '/ok' }, { path: '/x y' }] },
        { host: 'b.example.com', paths: [{ path: '/a;b', pathType: 'ImplementationSpecific' }] },
      ],
    });
    expect(pathRule.check(ing, contextFor(shopCluster())).map((f) => f.path)).toEqual([
      'spec.rules[0].http.paths[1].path',
      'spec.rules[1].http.paths[0].path',
    ]);
  });

  test('a long hostile path is cut in the message and its characters listed at most five times', () => {
    const [finding] = check(`/${'!@$%^&()'.repeat(500)}`, 'Prefix');
    expect(finding?.message.length).toBeLessThan(400);
    expect(finding?.message).toContain('"!", "@", "$", "%", "^", …');
  });
});

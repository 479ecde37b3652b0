import { describe, expect, test } from 'vitest';
import type { PathType } from '../../src/k8s/types.js';
import { compileIngress } from '../../src/nginx/compile-ingress.js';
import { pathRule } from '../../src/rules/path.js';
import { rewriteRule } from '../../src/rules/rewrite.js';
import { contextFor, ingress, shopCluster } from '../fixtures/builders.js';

const HINT = 'use pathType: ImplementationSpecific with nginx.ingress.kubernetes.io/use-regex: "true" for regular expressions';
const LITERAL = '"/", letters, digits, ".", "_", "-" and "~"';
const NO_PATH_MAY = 'which no path may contain (control characters, whitespace, ";", "#", quotes)';

interface Case {
  name: string;
  path: string;
  pathType: PathType;
  /** With nginx.ingress.kubernetes.io/use-regex: "true". */
  regex?: boolean;
  message?: string;
}

const USE_REGEX = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };

function check(path: string, pathType: PathType, annotations: Record<string, string> = {}) {
  return pathRule.check(ingress({ annotations, paths: [{ path, pathType }] }), contextFor(shopCluster()));
}

describe('path rule: allowed', () => {
  test.for<Case>([
    { name: 'the root Prefix', path: '/', pathType: 'Prefix' },
    { name: 'a literal Exact path with every allowed character', path: '/a-Z_0.9~/x', pathType: 'Exact' },
    { name: 'a regex in ImplementationSpecific with use-regex', path: '/app(/|$)(.*)', pathType: 'ImplementationSpecific', regex: true },
    { name: 'regex braces, classes and escapes with use-regex', path: '/v[0-9]{1,3}/\\d+\\.json$', pathType: 'ImplementationSpecific', regex: true },
    { name: 'an empty ImplementationSpecific path (served as "/")', path: '', pathType: 'ImplementationSpecific' },
    { name: 'sub-delimiters a prefix location can hold', path: '/a!b*c,d:e@f&g=h+i(j)k%20', pathType: 'ImplementationSpecific' },
    { name: 'a Prefix path of 2048 characters', path: `/${'a'.repeat(2047)}`, pathType: 'Prefix' },
  ])('$name', ({ path, pathType, regex }) => {
    expect(check(path, pathType, regex ? USE_REGEX : {})).toEqual([]);
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

describe('path rule: what the controller cannot render is denied, never skipped after admission', () => {
  const PREFIX_CHARS = 'which a prefix location cannot hold (only "/", letters, digits and . _ ~ ! * , : @ & = + ( ) % -)';
  const REGEX_HINT_IS = 'set nginx.ingress.kubernetes.io/use-regex: "true" if it is a regular expression';
  test.for<Case>([
    {
      name: 'regex syntax in an ImplementationSpecific path without use-regex (a prefix location)',
      path: '/app(/|$)(.*)',
      pathType: 'ImplementationSpecific',
      message: `path "/app(/|$)(.*)" contains "|", "$", ${PREFIX_CHARS}; ${REGEX_HINT_IS}`,
    },
    {
      name: 'braces and a backslash in an ImplementationSpecific path without use-regex',
      path: '/v{1}\\d',
      pathType: 'ImplementationSpecific',
      message: `path "/v{1}\\\\d" contains "{", "}", "\\\\", ${PREFIX_CHARS}; ${REGEX_HINT_IS}`,
    },
    {
      name: 'a non-ASCII character in a regex path',
      path: '/café(/.*)?',
      pathType: 'ImplementationSpecific',
      regex: true,
      message: 'path "/café(/.*)?" contains "é" (U+00E9); a regex location takes printable ASCII only: write its UTF-8 bytes as \\xC3\\xA9',
    },
    {
      name: 'an nginx string escape in a regex path',
      path: '/a\\nb',
      pathType: 'ImplementationSpecific',
      regex: true,
      message: 'path "/a\\\\nb" contains "\\\\n", which nginx reads as an escape inside a quoted string, so PCRE would not see the pattern as written',
    },
    {
      name: 'a regex path ending in a backslash',
      path: '/a\\',
      pathType: 'ImplementationSpecific',
      regex: true,
      message: 'path "/a\\\\" ends with "\\\\", which would escape the closing quote of the location',
    },
    {
      name: 'a Prefix path over 2048 characters',
      path: `/${'a'.repeat(2048)}`,
      pathType: 'Prefix',
      message: `Prefix path "/${'a'.repeat(99)}…" is 2049 characters long; at most 2048 can be rendered`,
    },
  ])('$name', ({ path, pathType, regex, message }) => {
    const field = 'spec.rules[0].http.paths[0].path';
    expect(check(path, pathType, regex ? USE_REGEX : {})).toEqual([{ rule: 'path', severity: 'deny', path: field, message }]);
  });

  // One decision: whatever the renderer refuses, the path and rewrite rules deny (they may deny
  // more, e.g. ";" in a quoted regex, which nginx would take but no path needs).
  const PATHS: readonly [string, PathType][] = [
    ['/', 'Prefix'], ['/api/', 'Prefix'], ['/a-b_c.d~e', 'Exact'], ['', 'ImplementationSpecific'],
    ['/impl', 'ImplementationSpecific'], ['/a!b*c,d:e@f&g=h+i(j)k%20', 'ImplementationSpecific'],
    ['/app(/|$)(.*)', 'ImplementationSpecific'], ['/v[0-9]{1,3}/\\d+\\.json$', 'ImplementationSpecific'],
    ['/a{b}', 'ImplementationSpecific'], ['/a\\b', 'ImplementationSpecific'], ['/a$', 'ImplementationSpecific'],
    ['/a^b|c?d', 'ImplementationSpecific'], ['/a<b>', 'ImplementationSpecific'], ['/café', 'ImplementationSpecific'],
    ['/café', 'Prefix'], ['/a\\nb', 'ImplementationSpecific'], ['/a\\\\b', 'ImplementationSpecific'], ['/a\\', 'ImplementationSpecific'],
    ['/a(b', 'ImplementationSpecific'], ['/(*UTF)x', 'ImplementationSpecific'], ['relative', 'ImplementationSpecific'],
    ['/a;b', 'ImplementationSpecific'], ['/a"b', 'ImplementationSpecific'], ['/a b', 'Prefix'],
    [`/${'a'.repeat(2047)}`, 'Prefix'], [`/${'a'.repeat(2048)}`, 'Prefix'], [`/${'a'.repeat(2048)}`, 'ImplementationSpecific'],
  ];
  const CASES = PATHS.flatMap(([path, pathType]) => [
    { path, pathType, annotations: {} as Record<string, string> },
    { path, pathType, annotations: USE_REGEX as Record<string, string> },
    { path, pathType, annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
  ]);
  test.for(CASES.map((c) => [JSON.stringify(c.path.length > 40 ? `${c.path.slice(0, 20)}…(${c.path.length})` : c.path), c.pathType, c.annotations, c] as const))(
    '%s %s %j: denied at admission if the controller cannot render it',
    ([, , , { path, pathType, annotations }]) => {
      const cluster = shopCluster();
      const ing = ingress({ annotations, paths: [{ path, pathType }] });
      const ctx = contextFor(cluster);
      const denied = [...pathRule.check(ing, ctx), ...rewriteRule.check(ing, ctx)].some((f) => f.severity === 'deny' && f.path.endsWith('.path'));
      const compiled = compileIngress(ing, cluster, annotations['nginx.ingress.kubernetes.io/use-regex'] ? { 'use-regex': true } : annotations['nginx.ingress.kubernetes.io/rewrite-target'] ? { 'rewrite-target': '/' } : {});
      const refusal = 'error' in compiled && compiled.error.includes('.path') ? compiled.error : undefined;
      if (refusal !== undefined) expect(denied, refusal).toBe(true);
    },
  );
});

describe('path rule: pathType spelling', () => {
  test.for([
    ['prefix', ' (did you mean "Prefix"?)'],
    ['EXACT', ' (did you mean "Exact"?)'],
    ['implementationSpecific', ' (did you mean "ImplementationSpecific"?)'],
    ['Regex', ''],
  ])('pathType %s is denied on the pathType field, as the API server refuses it', ([pathType, hint]) => {
    expect(check('/', pathType as PathType)).toEqual([
      {
        rule: 'path',
        severity: 'deny',
        path: 'spec.rules[0].http.paths[0].pathType',
        message: `unsupported value "${pathType}": must be one of "Exact", "Prefix", "ImplementationSpecific"${hint}`,
      },
    ]);
  });
});

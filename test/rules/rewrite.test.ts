import { describe, expect, test } from 'vitest';
import type { PathType } from '../../src/k8s/types.js';
import { regexEnabled } from '../../src/annotations/features/rewrite.js';
import { captureReferences, rewriteRule } from '../../src/rules/rewrite.js';
import type { RuleOptions } from '../../src/rules/types.js';
import { contextFor, ingress, shopCluster } from '../fixtures/builders.js';

const REWRITE = 'nginx.ingress.kubernetes.io/rewrite-target';
const USE_REGEX = 'nginx.ingress.kubernetes.io/use-regex';
const APP_ROOT = 'nginx.ingress.kubernetes.io/app-root';

interface Case {
  name: string;
  annotations: Record<string, string>;
  paths: { path: string; pathType?: PathType }[];
}

function check(annotations: Record<string, string>, paths: { path: string; pathType?: PathType }[], options: Partial<RuleOptions> = {}) {
  const ing = ingress({ annotations, paths: paths.map((p) => ({ pathType: 'ImplementationSpecific', ...p })) });
  return rewriteRule.check(ing, contextFor(shopCluster(), { options }));
}

describe('rewrite rule: allowed', () => {
  test.for<Case>([
    { name: 'the common /app(/|$)(.*) with /$2', annotations: { [REWRITE]: '/$2' }, paths: [{ path: '/app(/|$)(.*)' }] },
    { name: 'rewrite to a constant path with plain paths', annotations: { [REWRITE]: '/' }, paths: [{ path: '/old' }] },
    { name: 'use-regex with a valid regex and no rewrite', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/api/v[0-9]+/.*' }] },
    { name: 'a dotted Prefix path with regex on', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/v1.0', pathType: 'Prefix' }] },
    { name: 'regex syntax without any regex annotation', annotations: {}, paths: [{ path: '/app(' }] },
    { name: 'use-regex "false" with an invalid regex', annotations: { [USE_REGEX]: 'false' }, paths: [{ path: '/app(' }] },
    { name: 'an absolute app-root', annotations: { [APP_ROOT]: '/app1' }, paths: [{ path: '/' }] },
    { name: 'PCRE-only syntax (possessive, atomic)', annotations: { [REWRITE]: '/$1' }, paths: [{ path: '/a++(?>b)(.*)' }] },
    { name: 'the usual regex paths, proven free of catastrophic backtracking', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '/api/v[0-9]+/(.*)' }, { path: '/(.+)\\.(jpg|png)$' }, { path: '/[^/]+/[^/]+$' }] },
    { name: 'an empty path, served as "/"', annotations: { [USE_REGEX]: 'true' }, paths: [{ path: '' }] },
  ])('$name', ({ annotations, paths }) => {
    expect(check(annotations, paths)).toEqual([]);
  });
});

describe('rewrite rule: denied', () => {
  test('a capture reference beyond the path\'s groups', () => {
    expect(check({ [REWRITE]: '/$1' }, [{ path: '/something' }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'deny',
        path: 'spec.rules[0].http.paths[0].path',
        message: 'rewrite-target "/$1" refers to capture group 1 but path "/something" has 0 capture groups (nginx would substitute an empty string)',
      },
    ]);
  });

  test('each path is checked against the highest reference', () => {
    const findings = check({ [REWRITE]: '/$1/$2' }, [{ path: '/a(.*)(.*)' }, { path: '/b(.*)' }]);
    expect(findings.map((f) => [f.path, f.message])).toEqual([
      [
        'spec.rules[0].http.paths[1].path',
        'rewrite-target "/$1/$2" refers to capture group 2 but path "/b(.*)" has 1 capture group (nginx would substitute an empty string)',
      ],
    ]);
  });

  test('an invalid regex when use-regex is on, with PCRE2\'s message and offset', () => {
    expect(check({ [USE_REGEX]: 'true' }, [{ path: '/app(' }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'deny',
        path: 'spec.rules[0].http.paths[0].path',
        message: 'path "/app(" is not a valid nginx (PCRE2) regular expression: missing closing parenthesis at offset 5',
      },
    ]);
  });

  test('rewrite-target alone turns regex on', () => {
    expect(check({ [REWRITE]: '/' }, [{ path: '/x{2,1}' }]).map((f) => f.message)).toEqual([
      'path "/x{2,1}" is not a valid nginx (PCRE2) regular expression: numbers out of order in {} quantifier at offset 6',
    ]);
  });

  test('a regex JavaScript accepts but PCRE2 rejects', () => {
    expect(check({ [USE_REGEX]: 'true' }, [{ path: '/(?<=a+)b' }]).map((f) => f.message)).toEqual([
      'path "/(?<=a+)b" is not a valid nginx (PCRE2) regular expression: lookbehind assertion is not fixed length at offset 1',
    ]);
  });

  test.for(['True', '1', 't'])('use-regex %s counts as true, like Go\'s ParseBool', (value) => {
    expect(check({ [USE_REGEX]: value }, [{ path: '/app(' }])).toHaveLength(1);
  });

  test.for<[PathType]>([['Prefix'], ['Exact']])('a %s path with regex syntax when regex is on', ([pathType]) => {
    expect(check({ [REWRITE]: '/$2' }, [{ path: '/app(/|$)(.*)', pathType }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'deny',
        path: 'spec.rules[0].http.paths[0].pathType',
        message: `path "/app(/|$)(.*)" contains regex syntax but pathType is ${pathType}; regex paths need pathType ImplementationSpecific`,
      },
    ]);
  });

  test('a relative app-root', () => {
    expect(check({ [APP_ROOT]: 'app1' }, [{ path: '/' }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'deny',
        path: 'metadata.annotations[nginx.ingress.kubernetes.io/app-root]',
        message: 'app-root "app1" must be an absolute path starting with "/"',
      },
    ]);
  });

  test('a braced capture reference, which nginx rejects as an unknown variable', () => {
    expect(check({ [REWRITE]: '/${1}' }, [{ path: '/app/(.*)' }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'deny',
        path: 'metadata.annotations[nginx.ingress.kubernetes.io/rewrite-target]',
        message: 'rewrite-target "/${1}" contains "${1}", which nginx reads as a variable name and rejects; write "$1"',
      },
    ]);
  });

  test('$0, which nginx rejects as an unknown variable', () => {
    expect(check({ [REWRITE]: '/$0' }, [{ path: '/app/(.*)' }]).map((f) => f.message)).toEqual([
      'rewrite-target "/$0" contains "$0", which nginx reads as a variable name and rejects; captures are $1 to $9',
    ]);
  });

  test('every problem of one Ingress is reported', () => {
    const findings = check({ [REWRITE]: '/$3', [APP_ROOT]: 'x' }, [{ path: '/a(' }, { path: '/b(.*)', pathType: 'Prefix' }]);
    expect(findings.map((f) => f.path)).toEqual([
      'metadata.annotations[nginx.ingress.kubernetes.io/app-root]',
      'spec.rules[0].http.paths[0].path',
      'spec.rules[0].http.paths[1].pathType',
      'spec.rules[0].http.paths[1].path',
    ]);
  });
});

describe('rewrite rule: named captures that are nginx variables', () => {
  // nginx makes each named capture a variable of the whole http{} block: `(?<host>…)` fails
  // `nginx -t` ("the duplicate "host" variable"), freezing every Ingress's config.
  test('a capture named host, with the variable named', () => {
    expect(check({ [USE_REGEX]: 'true' }, [{ path: '/(?<host>[a-z]+)' }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'deny',
        path: 'spec.rules[0].http.paths[0].path',
        message: 'path "/(?<host>[a-z]+)" is not a valid nginx (PCRE2) regular expression: named capture "host" would redefine nginx\'s $host variable at offset 4',
      },
    ]);
  });

  test.for(['uri', 'request_uri', 'remote_addr', 'scheme', 'server_port', 'request_id', 'Host', 'http_upgrade', 'cookie_session', 'connection_upgrade'])(
    'a capture named %s',
    (name) => {
      expect(check({ [REWRITE]: '/$1' }, [{ path: `/(?<${name}>[a-z]+)` }]).map((f) => f.severity)).toEqual(['deny']);
    },
  );

  test('a capture with a name of its own is fine, and counts as a group for $1', () => {
    expect(check({ [REWRITE]: '/$1' }, [{ path: '/(?<item>[a-z]+)' }])).toEqual([]);
  });
});

describe('rewrite rule: catastrophic backtracking', () => {
  test('exponential: denied, with an attack string', () => {
    const [finding, ...rest] = check({ [USE_REGEX]: 'true' }, [{ path: '/x(a|aa)+$' }]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: 'rewrite', severity: 'deny', path: 'spec.rules[0].http.paths[0].path' });
    expect(finding?.message).toMatch(/^path "\/x\(a\|aa\)\+\$" can take exponential time to match \(catastrophic backtracking; e\.g\. .+\): a few such requests would keep nginx's workers busy for every host$/);
  });

  test('polynomial: denied, with the degree', () => {
    expect(check({ [USE_REGEX]: 'true' }, [{ path: '/.*a.*b$' }])[0]?.message).toContain('can take O(n^2) time to match');
  });

  test('with --regex-redos warn, the same finding is a warning', () => {
    expect(check({ [USE_REGEX]: 'true' }, [{ path: '/x(a|aa)+$' }], { regexRedos: 'warn' }).map((f) => f.severity)).toEqual(['warn']);
  });

  test('a pattern the analyser cannot read is denied as unproven', () => {
    expect(check({ [USE_REGEX]: 'true' }, [{ path: '/(a(?1)?b)' }]).map((f) => f.message)).toEqual([
      'path "/(a(?1)?b)" could not be proven free of catastrophic backtracking: it uses PCRE2 syntax the analyser cannot read (recursion, conditionals, backtracking verbs or an unknown escape)',
    ]);
  });

  test('paths without regex annotations are not analysed', () => {
    expect(check({}, [{ path: '/x(a|aa)+$' }])).toEqual([]);
  });
});

describe('rewrite rule: warned', () => {
  test('$10, which nginx reads as $1 followed by "0"', () => {
    expect(check({ [REWRITE]: '/$10' }, [{ path: '/app/(.*)' }])).toEqual([
      {
        rule: 'rewrite',
        severity: 'warn',
        path: 'metadata.annotations[nginx.ingress.kubernetes.io/rewrite-target]',
        message: 'rewrite-target "/$10" contains "$10", which nginx reads as capture $1 followed by "0" (captures are $1 to $9)',
      },
    ]);
  });
});

describe('captureReferences', () => {
  test.for([
    { target: '/$2', highest: 2, invalid: [], ambiguous: [] },
    { target: '/$1/x/$3', highest: 3, invalid: [], ambiguous: [] },
    { target: '/static', highest: 0, invalid: [], ambiguous: [] },
    { target: '/$12', highest: 1, invalid: [], ambiguous: ['$12'] },
    { target: '/${2}', highest: 0, invalid: ['${2}'], ambiguous: [] },
    { target: '/$0', highest: 0, invalid: ['$0'], ambiguous: [] },
    { target: '/$host/$1', highest: 1, invalid: [], ambiguous: [] },
    { target: '/end$', highest: 0, invalid: [], ambiguous: [] },
  ])('$target', ({ target, ...expected }) => {
    expect(captureReferences(target)).toEqual(expected);
  });
});

describe('regexEnabled', () => {
  test('is off without regex annotations', () => {
    expect(regexEnabled(ingress())).toBe(false);
  });

  test('is on with an empty rewrite-target, since ingress-nginx only asks whether it is set', () => {
    expect(regexEnabled(ingress({ annotations: { [REWRITE]: '' } }))).toBe(true);
  });
});

// Canary annotations: what the catalog accepts, what `parse` makes of it, and the nginx lines it
// asks for. Behaviour on the real nginx: test/controller/canary.test.ts.
import { describe, expect, test } from 'vitest';
import { canaryBasisPoints, canaryFeature, isCanaryIngress, type CanaryConfig } from '../../../src/annotations/features/canary.js';
import { AnnotationReader } from '../../../src/annotations/reader.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import { ingress } from '../../fixtures/builders.js';

function parse(raw: Record<string, string>): CanaryConfig | undefined {
  const values = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      const verdict = checkAnnotationValue(k, v);
      if (!verdict.ok) throw new Error(`${k}: ${verdict.reason}`);
      return [k, verdict.value];
    }),
  );
  return canaryFeature.parse!(new AnnotationReader(values), { namespace: 'shop' });
}

describe('canary parse', () => {
  test.for<{ name: string; raw: Record<string, string>; expected: CanaryConfig | undefined }>([
    { name: 'not a canary: no config', raw: { 'canary-weight': '10' }, expected: undefined },
    { name: 'canary "false": no config', raw: { canary: 'false', 'canary-weight': '10' }, expected: undefined },
    { name: 'canary alone: weight 0 of 100', raw: { canary: 'true' }, expected: { weight: 0, weightTotal: 100 } },
    { name: 'Go ParseBool spelling "1"', raw: { canary: '1', 'canary-weight': '10' }, expected: { weight: 10, weightTotal: 100 } },
    { name: 'weight out of a total', raw: { canary: 'true', 'canary-weight': '5', 'canary-weight-total': '1000' }, expected: { weight: 5, weightTotal: 1000 } },
    { name: 'header', raw: { canary: 'true', 'canary-by-header': 'X-Canary' }, expected: { weight: 0, weightTotal: 100, header: 'X-Canary' } },
    {
      name: 'header value wins over the pattern (ingress-nginx ignores the pattern then)',
      raw: { canary: 'true', 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'beta', 'canary-by-header-pattern': '^b' },
      expected: { weight: 0, weightTotal: 100, header: 'X-Canary', headerValue: 'beta' },
    },
    {
      name: 'header pattern',
      raw: { canary: 'true', 'canary-by-header': 'X-Canary', 'canary-by-header-pattern': '^Do[A-Z][a-z]+y$' },
      expected: { weight: 0, weightTotal: 100, header: 'X-Canary', headerPattern: '^Do[A-Z][a-z]+y$' },
    },
    {
      name: 'a header value without the header has no effect',
      raw: { canary: 'true', 'canary-by-header-value': 'beta' },
      expected: { weight: 0, weightTotal: 100 },
    },
    { name: 'cookie', raw: { canary: 'true', 'canary-by-cookie': 'canary_user' }, expected: { weight: 0, weightTotal: 100, cookie: 'canary_user' } },
  ])('$name', ({ raw, expected }) => {
    expect(parse(raw)).toEqual(expected);
  });
});

describe('canary values the catalog refuses', () => {
  test.for<[string, string, string]>([
    ['canary-by-header-pattern', '(Do[A-Z]', 'is not a valid nginx (PCRE2) regular expression: missing closing parenthesis'],
    // ingress-nginx's own e2e example of a pattern that "causes error": denied here instead.
    ['canary-by-header-pattern', '[][**da?$&*', 'other than as an end anchor'],
    ['canary-by-header-pattern', '^(a+)+$', 'catastrophic backtracking'],
    ['canary-by-header-pattern', '^(a|aa)*b$', 'catastrophic backtracking'],
    ['canary-by-header-pattern', 'a"b', 'must not contain "\\""'],
    ['canary-by-header-pattern', '${host}', 'other than as an end anchor'],
    ['canary-by-header-pattern', 'a\\x3b', 'only \\d'],
    ['canary-by-header-pattern', 'x'.repeat(257), 'at most 256'],
    ['canary-by-header-pattern', '(?<host>a)', 'would redefine'],
    ['canary-by-header', 'X_Canary', 'a header name of letters, digits and -'],
    ['canary-by-header-value', 'a b', 'letters, digits and'],
    ['canary-by-cookie', 'canary-user', 'a cookie name of letters, digits and _'],
    ['canary-weight', '-1', 'a whole number'],
    ['canary-weight-total', '0', 'a whole number from 1 to 100000'],
  ])('%s %j: %s', ([key, raw, reason]) => {
    const verdict = checkAnnotationValue(key, raw);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toContain(reason);
  });

  test('a weight above the total is denied and not used', () => {
    expect(canaryFeature.check!({ canary: true, 'canary-weight': 150 })).toEqual([
      { key: 'canary-weight', severity: 'deny', drop: true, message: 'invalid value "150": must be at most canary-weight-total (100)' },
    ]);
    expect(canaryFeature.check!({ canary: true, 'canary-weight': 150, 'canary-weight-total': 200 })).toEqual([]);
  });
});

describe('canary weight in split_clients units (0.01 %)', () => {
  test.for<[number, number, number]>([
    [0, 100, 0],
    [100, 100, 10000],
    [50, 100, 5000],
    [1, 3, 3333],
    [1, 100000, 1],
    [99999, 100000, 9999],
    [5, 10, 5000],
  ])('%i of %i is %i', ([weight, weightTotal, bp]) => {
    expect(canaryBasisPoints({ weight, weightTotal })).toBe(bp);
  });
});

describe('canary nginx lines', () => {
  const location = (c: CanaryConfig) => canaryFeature.location!(c, { pass: 'proxy', proxies: true, source: 's/c', secretsDir: '/x', match: 'prefix', path: '/' });

  test('precedence is written in reverse: weight, then cookie, then header overrides', () => {
    const lines = location({ weight: 25, weightTotal: 100, cookie: 'cc', header: 'X-Canary' }).rewrite!;
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(at('$gh_canary_weight_2500')).toBeGreaterThan(at('set $gh_canary "";'));
    expect(at('$cookie_cc = always')).toBeGreaterThan(at('$gh_canary_weight_2500'));
    expect(at('$http_x_canary = always')).toBeGreaterThan(at('$cookie_cc = never'));
    expect(canaryFeature.http!({ weight: 25, weightTotal: 100 }, { secretsDir: '/x' })).toEqual([
      'split_clients $request_id $gh_canary_weight_2500 {',
      '    25.00% 1;',
      '    * "";',
      '}',
    ]);
  });

  test('weight equal to the total: always, no split_clients', () => {
    expect(location({ weight: 7, weightTotal: 7 }).rewrite).toEqual(['set $gh_canary "";', 'set $gh_canary 1;']);
    expect(canaryFeature.http!({ weight: 7, weightTotal: 7 }, { secretsDir: '/x' })).toEqual([]);
  });

  test('a header pattern is a map whose exact "" entry keeps an empty header from matching', () => {
    const lines = canaryFeature.http!({ weight: 0, weightTotal: 100, header: 'X-Canary', headerPattern: '^b' }, { secretsDir: '/x' });
    expect(lines[0]).toMatch(/^map \$http_x_canary \$gh_canary_pattern_[0-9a-f]{16} \{$/);
    expect(lines.slice(1)).toEqual(['    "" "";', '    "~^b" 1;', '}']);
  });

  test('sticky: the weight is keyed on the affinity cookie', () => {
    expect(canaryFeature.http!({ weight: 10, weightTotal: 100, sticky: true }, { secretsDir: '/x' })[0]).toBe('split_clients $gh_affinity $gh_canary_sticky_weight_1000 {');
  });
});

describe('isCanaryIngress reads canary as the catalog does', () => {
  test.for<[string | undefined, boolean]>([
    ['true', true],
    ['True', true],
    ['1', true],
    ['t', true],
    ['false', false],
    ['0', false],
    ['yes', false],
    [undefined, false],
  ])('%j → %s', ([value, expected]) => {
    const annotations: Record<string, string> = value === undefined ? {} : { 'nginx.ingress.kubernetes.io/canary': value };
    expect(isCanaryIngress(ingress({ annotations }))).toBe(expected);
  });
});

import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import {
  ANNOTATION_CATALOG,
  catalogEntry,
  catalogMarkdown,
  isSnippetKey,
  NGINX_ANNOTATION_PREFIX,
  type AnnotationEntry,
} from '../../src/annotations/catalog.js';
import { ANNOTATION_FORMATS } from '../../src/annotations/formats.js';
import { checkAnnotationValue } from '../../src/annotations/validate.js';
import { RISK_LEVELS } from '../../src/rules/types.js';

const ENTRIES = ANNOTATION_CATALOG as readonly AnnotationEntry[];
const byKey = ENTRIES.map((e) => [e.key, e] as const);

describe('every catalog entry', () => {
  test.for(byKey)('%s has a doc, a plain-words expectation and a known risk', ([, e]) => {
    expect(e.doc.length).toBeGreaterThan(10);
    expect(e.expects.length).toBeGreaterThan(2);
    expect(RISK_LEVELS).toContain(e.risk);
  });

  test.for(byKey)('%s has a schema that compiles in strict mode', ([, e]) => {
    const ajv = new Ajv({ strict: true });
    for (const [name, validate] of Object.entries(ANNOTATION_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
    expect(() => ajv.compile(e.schema)).not.toThrow();
  });

  test.for(byKey)('%s accepts each of its examples', ([key, e]) => {
    for (const example of e.examples) expect(checkAnnotationValue(key, example), example).toMatchObject({ ok: true });
  });

  test.for(byKey)('%s names a catalog annotation in requires', ([, e]) => {
    if (e.requires) expect(catalogEntry(e.requires.key)).toBeDefined();
  });
});

test('keys are unique, lower-case kebab-case and stored without the prefix', () => {
  const keys = ENTRIES.map((e) => e.key);
  expect(new Set(keys).size).toBe(keys.length);
  for (const key of keys) expect(key).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
});

test('snippets, and only snippets, are critical', () => {
  for (const e of ENTRIES) expect(e.risk === 'critical', e.key).toBe(isSnippetKey(e.key));
});

test('secret references are high risk', () => {
  for (const e of ENTRIES.filter((x) => x.kind === 'namespaced-name')) expect(e.risk, e.key).toBe('high');
});

test('the annotations issue 2 requires are all in the catalog', () => {
  const required = [
    'rewrite-target', 'use-regex', 'app-root', 'ssl-redirect', 'force-ssl-redirect', 'backend-protocol',
    'proxy-body-size', 'proxy-connect-timeout', 'proxy-read-timeout', 'proxy-send-timeout',
    'whitelist-source-range', 'allowlist-source-range', 'permanent-redirect', 'temporal-redirect',
    'enable-cors', 'cors-allow-origin', 'cors-allow-methods', 'cors-allow-headers', 'cors-allow-credentials',
    'affinity', 'session-cookie-name', 'auth-tls-secret', 'proxy-ssl-secret', 'configuration-snippet', 'server-snippet',
  ];
  for (const key of required) expect(catalogEntry(key), key).toBeDefined();
});

test('catalogEntry knows nothing outside the catalog', () => {
  expect(catalogEntry('mirror-target')).toBeUndefined();
  expect(catalogEntry(`${NGINX_ANNOTATION_PREFIX}proxy-body-size`)).toBeUndefined();
});

describe('catalogMarkdown', () => {
  const md = catalogMarkdown();

  test('has a header and one row per entry', () => {
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('| Annotation | Risk | Accepted values | Example | What it does |');
    expect(lines).toHaveLength(ENTRIES.length + 2);
  });

  test('shows the full key, risk, expectation and first example', () => {
    expect(md).toContain(
      '| `nginx.ingress.kubernetes.io/proxy-body-size` | low | a size like 8m, 512k or 0 | `8m` | Largest request body',
    );
  });

  test('escapes pipes inside cells', () => {
    for (const line of md.trimEnd().split('\n').slice(2)) expect(line.replaceAll('\\|', '').split('|')).toHaveLength(7);
  });
});

import { describe, expect, test } from 'vitest';
import { ANNOTATION_CATALOG, type AnnotationEntry } from '../../src/annotations/catalog.js';
import { checkAnnotationValue } from '../../src/annotations/validate.js';
import { ingressSettingsOf, type AnnotationValues } from '../../src/annotations/ingress-settings.js';

const ENTRIES = ANNOTATION_CATALOG as readonly AnnotationEntry[];

/** The decoded value of a raw annotation string, as parseAnnotations would hand it over. */
function decoded(key: string, raw: string): unknown {
  const verdict = checkAnnotationValue(key, raw);
  if (!verdict.ok) throw new Error(`${key}: ${raw} ${verdict.reason}`);
  return verdict.value;
}

function valuesOf(raw: Record<string, string>): AnnotationValues {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decoded(k, v)]));
}

/** What `requires` asks for, so that the annotation can have an effect. */
function prerequisites(entry: AnnotationEntry): Record<string, string> {
  const req = entry.requires;
  if (!req) return {};
  const required = ENTRIES.find((e) => e.key === req.key)!;
  return { ...prerequisites(required), [req.key]: req.equals === undefined ? required.examples[0] : String(req.equals) };
}

describe('redirects, as ingress-nginx documents them', () => {
  // internal/ingress/annotations/redirect/redirect.go: "If the Ingress contains both annotations
  // the execution order is temporal and then permanent".
  test('temporal-redirect wins over permanent-redirect', () => {
    const settings = ingressSettingsOf(
      valuesOf({ 'permanent-redirect': 'https://example.com/new', 'permanent-redirect-code': '308', 'temporal-redirect': 'https://example.com/later' }),
    );
    expect(settings).toMatchObject({ features: { redirect: { kind: 'redirect', code: 302, url: 'https://example.com/later' } } });
  });

  test.for([
    [undefined, 302],
    ['302', 302],
    ['303', 303],
    ['307', 307],
  ] as const)('temporal-redirect-code %s answers %i', ([code, expected]) => {
    const raw = { 'temporal-redirect': 'https://example.com/later', ...(code ? { 'temporal-redirect-code': code } : {}) };
    expect(ingressSettingsOf(valuesOf(raw))).toMatchObject({ features: { redirect: { code: expected } } });
  });

  test.for([
    [undefined, 301],
    ['301', 301],
    ['308', 308],
  ] as const)('permanent-redirect-code %s answers %i', ([code, expected]) => {
    const raw = { 'permanent-redirect': 'https://example.com/new', ...(code ? { 'permanent-redirect-code': code } : {}) };
    expect(ingressSettingsOf(valuesOf(raw))).toMatchObject({ features: { redirect: { code: expected } } });
  });
});

describe('the renderer and the catalog agree on what the controller does', () => {
  const rendered = ENTRIES.filter((e) => e.controller === 'renders');
  const notRendered = ENTRIES.filter((e) => e.controller !== 'renders');

  test.for(rendered.map((e) => [e.key, e] as const))('%s (renders) changes what is rendered', ([key, entry]) => {
    const base = prerequisites(entry);
    const without = ingressSettingsOf(valuesOf(base));
    expect(without).not.toHaveProperty('error');
    const effects = entry.examples.map((example) => ingressSettingsOf(valuesOf({ ...base, [key]: example })));
    for (const effect of effects) expect(effect, key).not.toHaveProperty('error');
    expect(effects.some((effect) => JSON.stringify(effect) !== JSON.stringify(without)), `${key}: no example changes the settings`).toBe(true);
  });

  test.for(notRendered.filter((e) => e.controller === 'refuses').map((e) => e.key))('%s (refuses) makes the Ingress unrenderable', (key) => {
    const entry = ENTRIES.find((e) => e.key === key)!;
    const settings = ingressSettingsOf(valuesOf({ ...prerequisites(entry), [key]: entry.examples[0] }));
    expect(settings).toMatchObject({ error: expect.stringContaining(key), key: expect.any(String) });
  });

  test.for(notRendered.filter((e) => e.controller === 'ignores').map((e) => e.key))('%s (ignores) is reported as not rendered', (key) => {
    const entry = ENTRIES.find((e) => e.key === key)!;
    const base = prerequisites(entry);
    const settings = ingressSettingsOf(valuesOf({ ...base, [key]: entry.examples[0] }));
    expect(settings).toMatchObject({ ignored: [key] });
    expect({ ...settings, ignored: [] }).toEqual({ ...ingressSettingsOf(valuesOf(base)), ignored: [] });
  });

  test('a value for a key the catalog does not know is refused, not dropped', () => {
    expect(ingressSettingsOf({ 'auth-keepalive': '10' })).toEqual({ error: expect.stringContaining('auth-keepalive'), key: 'auth-keepalive' });
  });
});

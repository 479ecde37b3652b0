// featureConfigsOf runs a feature's parse only when the Ingress sets one of the keys of its gate
// (features/index.ts parseGateOf): at 10,000 Ingresses, parsing every feature for every Ingress
// was a fifth of the controller's render. Skipping is safe when a feature without its gate's keys
// is off whatever else is set, which these tests hold.
import { describe, expect, test } from 'vitest';
import { ANNOTATION_CATALOG, type AnnotationEntry } from '../../../src/annotations/catalog.js';
import { FEATURES, parseGateOf } from '../../../src/annotations/features/index.js';
import { AnnotationReader } from '../../../src/annotations/reader.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import { SnapshotStore } from '../../../src/k8s/snapshot.js';

const CONTEXT = { namespace: 'shop', name: 'web', cluster: new SnapshotStore() };

/** Every key's examples, decoded as parseAnnotations hands them over, one value set per example index. */
function exampleSets(): Record<string, unknown>[] {
  const sets: Record<string, unknown>[] = [];
  for (const entry of ANNOTATION_CATALOG as readonly AnnotationEntry[]) {
    entry.examples.forEach((raw, i) => {
      const verdict = checkAnnotationValue(entry.key, raw);
      if (verdict.ok) (sets[i] ??= {})[entry.key] = verdict.value;
    });
  }
  return sets;
}

const PARSING = FEATURES.filter((f) => 'parse' in f && f.parse !== undefined);

describe('a feature without the keys of its gate is off', () => {
  test.for(PARSING.map((f) => f.id))('%s is off when none of its keys is set', (id) => {
    const feature = PARSING.find((f) => f.id === id)!;
    expect(feature.parse!(new AnnotationReader({}), CONTEXT)).toBeUndefined();
  });

  // What skipping needs exactly: without its gate's keys, whatever else the Ingress sets, parse
  // returns undefined (and does not throw, which would leave the Ingress out).
  test.for(PARSING.map((f) => f.id))('%s is off when only other features\' keys are set', (id) => {
    const feature = PARSING.find((f) => f.id === id)!;
    const gate = parseGateOf(feature);
    for (const values of exampleSets()) {
      const others = Object.fromEntries(Object.entries(values).filter(([k]) => !gate.has(k)));
      expect(feature.parse!(new AnnotationReader(others), CONTEXT), id).toBeUndefined();
    }
  });
});

import { expect, test } from 'vitest';
import { annotationsOverLimit, MAX_ANNOTATIONS_BYTES } from '../../src/admission/annotation-size.js';
import { ingress } from '../fixtures/builders.js';

const KEY = 'a'.repeat(63);

test.for([
  ['no annotations', undefined, false],
  ['keys and values totalling exactly 256 KiB', { [KEY]: 'v'.repeat(MAX_ANNOTATIONS_BYTES - KEY.length) }, false],
  ['one byte more', { [KEY]: 'v'.repeat(MAX_ANNOTATIONS_BYTES - KEY.length + 1) }, true],
  // The API server counts bytes: 'é' is two in UTF-8.
  ['multi-byte characters counted as bytes', { [KEY]: 'é'.repeat((MAX_ANNOTATIONS_BYTES - KEY.length) / 2 + 1) }, true],
  ['150,000 empty snippet keys', Object.fromEntries(Array.from({ length: 150_000 }, (_, i) => [`nginx.ingress.kubernetes.io/a${i.toString(36)}-snippet`, ''])), true],
] as const)('%s: over the limit is %s', ([, annotations, over]) => {
  expect(annotationsOverLimit(ingress(annotations ? { annotations } : {}))).toBe(over);
});

test('values that are not strings count their keys only (the rules refuse them)', () => {
  const ing = ingress({ annotations: { k: 1 as unknown as string } });
  expect(annotationsOverLimit(ing)).toBe(false);
});

/**
 * Decodes a request body as JSON for the admission routes, saying exactly what is wrong with one
 * that is refused: fastify's own parser reports every refusal, prototype poisoning included, as
 * "Body is not valid JSON".
 */

/** A refused body: status 400 and a message meant for the caller. */
export class BadBodyError extends Error {
  readonly statusCode = 400;
  readonly code = 'GATEHOUSE_BAD_BODY';
}

/**
 * A key that pollutes `Object.prototype` once the parsed object is merged or cloned into another:
 * `__proto__`, or `constructor` holding a `prototype`. Refused like fastify's
 * `onProtoPoisoning: 'error'` and `onConstructorPoisoning: 'error'` do.
 * https://fastify.dev/docs/latest/Guides/Prototype-Poisoning/
 */
function poisonedKey(root: unknown): string | undefined {
  // Iterative: a deeply nested body must not overflow the stack.
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Object.hasOwn(node, '__proto__')) return '__proto__';
    const ctor = Object.hasOwn(node, 'constructor') ? (node as { constructor: unknown }).constructor : undefined;
    if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) return 'constructor.prototype';
    for (const value of Object.values(node)) if (typeof value === 'object' && value !== null) stack.push(value);
  }
  return undefined;
}

/**
 * Whether the text can hold such a key at all: a key spelled `__proto__` or `constructor`, or
 * written with a `\u` escape (JSON.parse decodes `"\u005f_proto__"` to `__proto__`). Most
 * bodies hold neither, and their (often large) parsed tree is not walked — the test
 * secure-json-parse, fastify's parser, makes before its own walk.
 * https://github.com/fastify/secure-json-parse
 */
function mayBePoisoned(text: string): boolean {
  // Three substring searches, not one alternation regex: ~5× faster on a 3 KB review (issue 13).
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

/** Parses `text` as JSON, throwing BadBodyError for an empty, malformed or prototype-poisoning body. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new BadBodyError('body is empty; expected an AdmissionReview');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadBodyError(`body is not valid JSON: ${(err as Error).message}`);
  }
  const key = mayBePoisoned(text) ? poisonedKey(value) : undefined;
  if (key !== undefined) throw new BadBodyError(`body refused: it holds the key ${key}, which could pollute object prototypes (prototype poisoning)`);
  return value;
}

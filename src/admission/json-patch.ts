// RFC 6902 JSON Patch operations, as the API server applies them for `patchType: JSONPatch`.
// https://www.rfc-editor.org/rfc/rfc6902 — pointers per RFC 6901.
import { isDeepStrictEqual } from 'node:util';

/** The operations Gatehouse emits (RFC 6902 section 4). */
export type JsonPatchOp =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'test'; readonly path: string; readonly value: unknown };

/**
 * Escapes one reference token (RFC 6901 section 3): `~` → `~0` first, then `/` → `~1`, so that
 * `kubernetes.io/ingress.class` becomes `kubernetes.io~1ingress.class`.
 */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Undoes `escapePointer` (`~1` → `/` first, then `~0` → `~`, per RFC 6901 section 4). */
export function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A JSON Pointer from unescaped tokens: `pointer('metadata', 'annotations', 'a/b')` → `/metadata/annotations/a~1b`. */
export function pointer(...tokens: readonly string[]): string {
  return tokens.map((t) => `/${escapePointer(t)}`).join('');
}

// The applier below covers the operations above, for Gatehouse's own patches.

type Container = Record<string, unknown> | unknown[];

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map(unescapePointer);
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function child(parent: Container, token: string, path: string): unknown {
  if (Array.isArray(parent)) {
    if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= parent.length) throw new Error(`no element at ${path}`);
    return parent[Number(token)];
  }
  if (!Object.hasOwn(parent, token)) throw new Error(`no member at ${path}`);
  return parent[token];
}

/** The container holding the pointer's last token, and that token. */
function locate(doc: unknown, path: string): { parent: Container; last: string } {
  const ts = tokens(path);
  const last = ts.pop();
  if (last === undefined) throw new Error('operations on the whole document are not supported');
  let node = doc;
  for (const t of ts) {
    if (!isContainer(node)) throw new Error(`${path}: parent is not an object or array`);
    node = child(node, t, path);
  }
  if (!isContainer(node)) throw new Error(`${path}: parent is not an object or array`);
  return { parent: node, last };
}

function applyOne(doc: unknown, op: JsonPatchOp): void {
  const { parent, last } = locate(doc, op.path);
  switch (op.op) {
    case 'add':
      if (Array.isArray(parent)) {
        const index = last === '-' ? parent.length : Number(last);
        if (!Number.isInteger(index) || index > parent.length) throw new Error(`add: bad index at ${op.path}`);
        parent.splice(index, 0, structuredClone(op.value));
      } else parent[last] = structuredClone(op.value);
      return;
    case 'remove':
      child(parent, last, op.path);
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      return;
    case 'replace':
      child(parent, last, op.path);
      if (Array.isArray(parent)) parent[Number(last)] = structuredClone(op.value);
      else parent[last] = structuredClone(op.value);
      return;
    case 'test':
      if (!isDeepStrictEqual(child(parent, last, op.path), op.value)) throw new Error(`test failed at ${op.path}`);
      return;
  }
}

/**
 * Applies `ops` to a copy of `doc`, as the API server would, so that `gatehouse check` and tests
 * can judge the mutated object. Throws like a conforming applier when an operation cannot apply
 * (a programmer error: Gatehouse only applies patches it built for that very object).
 */
export function applyJsonPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  const copy = structuredClone(doc);
  for (const op of ops) applyOne(copy, op);
  return copy;
}

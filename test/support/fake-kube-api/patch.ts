// The PATCH bodies the API server accepts for built-in objects.
// JSON Merge Patch: https://www.rfc-editor.org/rfc/rfc7386 ; JSON Patch: https://www.rfc-editor.org/rfc/rfc6902
import { isDeepStrictEqual } from 'node:util';

/** A patch that cannot be applied: the API server answers 422 (or 400 for a malformed body). */
export class PatchError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386; `null` deletes a key, arrays are replaced whole. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path === '' ? [] : path.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function parentOf(doc: unknown, parts: string[]): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur = doc;
  for (const part of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(part)] : isObject(cur) ? cur[part] : undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: /${parts.join('/')}`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new PatchError(`doc is missing path: /${parts.join('/')}`);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function index(arr: unknown[], key: string, forInsert: boolean): number {
  if (forInsert && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forInsert && i === arr.length)) throw new PatchError(`index out of range: ${key}`);
  return i;
}

function get(doc: unknown, parts: string[]): unknown {
  if (parts.length === 0) return doc;
  const { parent, key } = parentOf(doc, parts);
  const value = Array.isArray(parent) ? parent[index(parent, key, false)] : parent[key];
  if (value === undefined) throw new PatchError(`doc is missing path: /${parts.join('/')}`);
  return value;
}

function remove(doc: unknown, parts: string[]): unknown {
  const { parent, key } = parentOf(doc, parts);
  const value = get(doc, parts);
  if (Array.isArray(parent)) parent.splice(index(parent, key, false), 1);
  else delete parent[key];
  return value;
}

function add(doc: unknown, parts: string[], value: unknown): unknown {
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

/** RFC 6902: add, remove, replace, move, copy, test; all-or-nothing. */
export function jsonPatch(document: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(document);
  for (const op of ops as Record<string, unknown>[]) {
    const path = pointer(op.path);
    switch (op.op) {
      case 'add':
        doc = add(doc, path, structuredClone(op.value));
        break;
      case 'remove':
        remove(doc, path);
        break;
      case 'replace':
        get(doc, path);
        if (path.length === 0) doc = structuredClone(op.value);
        else {
          remove(doc, path);
          doc = add(doc, path, structuredClone(op.value));
        }
        break;
      case 'move':
        doc = add(doc, path, remove(doc, pointer(op.from)));
        break;
      case 'copy':
        doc = add(doc, path, structuredClone(get(doc, pointer(op.from))));
        break;
      case 'test':
        if (!isDeepStrictEqual(get(doc, path), op.value)) throw new PatchError(`testing value /${path.join('/')} failed`);
        break;
      default:
        throw new PatchError(`unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GatehouseError } from '../errors.js';
import type { KubeObject } from './types.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A Kubernetes object read from a file, with where it came from (for messages). */
export interface LoadedObject {
  readonly object: KubeObject;
  readonly source: string;
}

/**
 * Expands `kind: List` and every `*List` (what `kubectl get -o yaml` prints) into their items.
 * Items of a typed list (ServiceList) may omit apiVersion/kind; fill them in from the list.
 */
function flatten(doc: unknown, out: KubeObject[]): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return;
  const obj = doc as KubeObject & { items?: unknown };
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    const itemKind = obj.kind === 'List' ? undefined : obj.kind.slice(0, -'List'.length);
    for (const item of obj.items) {
      if (item && typeof item === 'object' && itemKind && !(item as KubeObject).kind) {
        flatten({ apiVersion: obj.apiVersion, kind: itemKind, ...(item as object) }, out);
      } else flatten(item, out);
    }
    return;
  }
  out.push(obj);
}

/**
 * JSON goes through JSON.parse: the YAML library builds a full document tree first, which for a
 * 10 MB `kubectl get -o json` dump costs hundreds of MB that V8 keeps long after.
 */
function parseJson(text: string, source: string): KubeObject[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new GatehouseError('SNAPSHOT_PARSE', `${source}: ${(err as Error).message}`);
  }
  const out: KubeObject[] = [];
  flatten(doc, out);
  return out;
}

/** Parses the text of one YAML (multi-document) or JSON file into objects. */
export function parseManifestText(text: string, source: string): KubeObject[] {
  if (/^\s*\{/.test(text)) return parseJson(text, source);
  const out: KubeObject[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0]?.line;
      throw new GatehouseError(
        'SNAPSHOT_PARSE',
        `${source}${line ? `:${line}` : ''}: ${first.message.split('\n')[0]}`,
      );
    }
    flatten(doc.toJS({ maxAliasCount: 100 }), out);
  }
  return out;
}

async function filesUnder(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new GatehouseError('SNAPSHOT_READ', `${path}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`, { cause: err });
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, e.name);
    if (e.isDirectory()) files.push(...(await filesUnder(full)));
    else if (MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase())) files.push(full);
  }
  return files;
}

/** Reads files and directories (recursively, *.yaml/*.yml/*.json, sorted) into objects. */
export async function loadManifestFiles(paths: readonly string[]): Promise<LoadedObject[]> {
  const loaded: LoadedObject[] = [];
  for (const path of paths) {
    for (const file of await filesUnder(path)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new GatehouseError('SNAPSHOT_READ', `${file}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`, { cause: err });
      }
      for (const object of parseManifestText(text, file)) loaded.push({ object, source: file });
    }
  }
  return loaded;
}

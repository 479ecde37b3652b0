import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isMap, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { fileErrorMessage, GatehouseError } from '../errors.js';
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

const TEMPLATE_HINT = 'a Helm/Go template, not a manifest: render it first (helm template, kustomize build) and check the output';

/**
 * Where an unquoted `{{ … }}` is: YAML reads it as a flow mapping whose key is a flow mapping
 * (`name: {{ .Release.Name }}` became the name "[object Object]"). Quoted and block scalars
 * holding `{{` (Prometheus alert templates in a ConfigMap) are plain strings and are not flagged.
 */
function templateOffset(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Map(_, node) {
      if (node.flow && node.items.some((pair) => isMap(pair.key) && pair.key.flow)) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

/** What a document that is not a mapping is, for the message. */
function describeNonObject(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'plain text' : `a ${typeof value}`;
}

/**
 * A YAML error's first line without the position it ends with ("… at line 3, column 1:", which
 * introduces the excerpt prettyErrors prints below it): the message already starts with FILE:LINE.
 */
export function yamlErrorText(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '') || 'not valid YAML';
}

/** Parses the text of one YAML (multi-document) or JSON file into objects. */
export function parseManifestText(text: string, source: string): KubeObject[] {
  if (text.includes('\u0000')) throw new GatehouseError('SNAPSHOT_PARSE', `${source}: a binary file, not YAML or JSON`);
  if (/^\s*\{(?!\{)/.test(text)) return parseJson(text, source);
  const out: KubeObject[] = [];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false, lineCounter });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const template = doc.errors.length > 0 && text.includes('{{') ? 0 : templateOffset(doc);
    if (template !== undefined) {
      const line = template > 0 ? `:${lineCounter.linePos(template).line}` : '';
      throw new GatehouseError('SNAPSHOT_PARSE', `${source}${line}: ${TEMPLATE_HINT}`);
    }
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0]?.line;
      throw new GatehouseError('SNAPSHOT_PARSE', `${source}${line ? `:${line}` : ''}: ${yamlErrorText(first.message)}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
      const line = doc.range[0] > 0 ? `:${lineCounter.linePos(doc.range[0]).line}` : '';
      throw new GatehouseError('SNAPSHOT_PARSE', `${source}${line}: not a Kubernetes manifest (a YAML document that is ${describeNonObject(value)}, not a mapping)`);
    }
    flatten(value, out);
  }
  return out;
}

async function filesUnder(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new GatehouseError('SNAPSHOT_READ', fileErrorMessage('read', path, err), { cause: err });
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

/** The files that `loadManifestFiles` reads for these paths, in its order. */
export async function listManifestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await filesUnder(path)));
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
        throw new GatehouseError('SNAPSHOT_READ', fileErrorMessage('read', file, err), { cause: err });
      }
      for (const object of parseManifestText(text, file)) loaded.push({ object, source: file });
    }
  }
  return loaded;
}

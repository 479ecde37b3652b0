import { snapshotKindOf } from './kinds.js';
import { loadManifestFiles, type LoadedObject } from './load-files.js';
import { normalizeIngress } from './normalize-ingress.js';
import { SnapshotStore } from './snapshot.js';
import type { Ingress, KubeObject } from './types.js';

/** Objects without a namespace in a namespaced kind land in "default", as kubectl would put them. */
function withNamespace(obj: KubeObject): KubeObject {
  if (obj.kind === 'Namespace' || obj.kind === 'IngressClass' || obj.metadata?.namespace) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace: 'default' } };
}

/** Adds every snapshot-kind object to the store; returns how many were kept. */
export function addToSnapshot(store: SnapshotStore, objects: readonly KubeObject[]): number {
  let kept = 0;
  for (const raw of objects) {
    const kind = snapshotKindOf(raw);
    if (!kind) continue;
    const obj = withNamespace(raw);
    store.upsert(kind, kind === 'Ingress' ? normalizeIngress(obj as Ingress) : obj);
    kept++;
  }
  return kept;
}

/** A static snapshot from `--snapshot` files and directories. No API server is contacted. */
export async function loadFileSnapshot(paths: readonly string[]): Promise<{ store: SnapshotStore; objects: LoadedObject[] }> {
  const store = new SnapshotStore();
  const objects = await loadManifestFiles(paths);
  addToSnapshot(store, objects.map((o) => o.object));
  return { store, objects };
}

// The objects of manifests/install.yaml, for the manifest tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { INSTALL_FILE, MANIFESTS_DIR } from '../../scripts/render-install.js';

/** A manifest object; tests read it loosely. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export const installText = readFileSync(join(MANIFESTS_DIR, INSTALL_FILE), 'utf8');
export const manifests = parseManifests(installText);

/** The one object of that kind (and name, when given); throws if absent or ambiguous. */
export function find(kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

export function all(kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** Every Pod template: Deployment, Jobs and the CronJob's, named by their owner. */
export function podTemplates(): { owner: string; spec: any }[] {
  return manifests.flatMap((m) => {
    if (m.kind === 'Deployment' || m.kind === 'Job') return [{ owner: `${m.kind} ${m.metadata.name}`, spec: m.spec.template.spec }];
    if (m.kind === 'CronJob') return [{ owner: `${m.kind} ${m.metadata.name}`, spec: m.spec.jobTemplate.spec.template.spec }];
    return [];
  });
}

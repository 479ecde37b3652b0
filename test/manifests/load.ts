// The objects of the rendered installs, for the manifest tests: manifests/install.yaml (the
// webhook alone; the bare exports below) and manifests/install-controller.yaml (`controller`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONTROLLER_INSTALL_FILE, INSTALL_FILE, MANIFESTS_DIR } from '../../scripts/render-install.js';

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

/** One rendered install and lookups over its objects. */
export interface LoadedInstall {
  /** The file name in manifests/, e.g. `install.yaml`. */
  readonly file: string;
  readonly text: string;
  readonly manifests: Manifest[];
  /** The one object of that kind (and name, when given); throws if absent or ambiguous. */
  find(kind: string, name?: string): Manifest;
  all(kind: string): Manifest[];
  /** Every Pod template: Deployments', Jobs' and the CronJob's, named by their owner. */
  podTemplates(): { owner: string; spec: any }[];
}

export function loadInstall(file: string): LoadedInstall {
  const text = readFileSync(join(MANIFESTS_DIR, file), 'utf8');
  const manifests = parseManifests(text);
  const all = (kind: string) => manifests.filter((m) => m.kind === kind);
  return {
    file,
    text,
    manifests,
    all,
    find(kind, name) {
      const found = all(kind).filter((m) => name === undefined || m.metadata.name === name);
      if (found.length !== 1) throw new Error(`${file}: expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
      return found[0]!;
    },
    podTemplates() {
      return manifests.flatMap((m) => {
        if (m.kind === 'Deployment' || m.kind === 'Job') return [{ owner: `${m.kind} ${m.metadata.name}`, spec: m.spec.template.spec }];
        if (m.kind === 'CronJob') return [{ owner: `${m.kind} ${m.metadata.name}`, spec: m.spec.jobTemplate.spec.template.spec }];
        return [];
      });
    },
  };
}

export const webhookInstall = loadInstall(INSTALL_FILE);
export const controllerInstall = loadInstall(CONTROLLER_INSTALL_FILE);
/** Both installs, for checks every manifest must pass. */
export const INSTALLS_LOADED: readonly LoadedInstall[] = [webhookInstall, controllerInstall];

export const installText = webhookInstall.text;
export const manifests = webhookInstall.manifests;
export const find = webhookInstall.find;
export const all = webhookInstall.all;
export const podTemplates = webhookInstall.podTemplates;

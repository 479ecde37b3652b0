// Shared setup of the certgen create/patch tests: a fake API server with the gatehouse
// namespace, and a logger whose output the tests can search for key material.
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { CREATE_DEFAULTS, type CertgenCreateOptions, type CertgenPatchOptions } from '../../src/certgen/options.js';
import { createLogger } from '../../src/log.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

export const NAMESPACE = 'gatehouse';
export const SECRET = 'gatehouse-webhook-tls';
export const SECRET_PATH = `/api/v1/namespaces/${NAMESPACE}/secrets/${SECRET}`;
export const HOSTS = ['gatehouse-webhook', 'gatehouse-webhook.gatehouse', 'gatehouse-webhook.gatehouse.svc'];
export const DAY = 86_400_000;
export const T0 = new Date('2026-03-01T00:00:00Z');
export const at = (days: number) => new Date(T0.getTime() + days * DAY);

export function createOptions(extra: Partial<CertgenCreateOptions> = {}): CertgenCreateOptions {
  return { ...CREATE_DEFAULTS, hosts: HOSTS, namespace: NAMESPACE, secretName: SECRET, ...extra };
}

export function patchOptions(extra: Partial<CertgenPatchOptions> = {}): CertgenPatchOptions {
  return {
    webhookName: 'gatehouse',
    namespace: NAMESPACE,
    secretName: SECRET,
    caName: 'ca',
    patchValidating: true,
    patchMutating: true,
    ...extra,
  };
}

/** A logger writing JSON lines into `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

export async function startApi(): Promise<FakeKubeApi> {
  const api = await FakeKubeApi.start();
  api.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  return api;
}

export interface StoredSecret {
  metadata: { resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type: string;
  data: Record<string, string>;
}

export function secretOf(api: FakeKubeApi): StoredSecret | undefined {
  return api.get<StoredSecret>('Secret', NAMESPACE, SECRET);
}

/** A Secret data entry as text. */
export function entry(secret: StoredSecret | undefined, key: string): string {
  const v = secret?.data[key];
  if (v === undefined) throw new Error(`Secret has no key ${key}`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/** Requests that wrote anything (POST, PUT, PATCH, DELETE), as "METHOD path". */
export function writes(api: FakeKubeApi): string[] {
  return api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}

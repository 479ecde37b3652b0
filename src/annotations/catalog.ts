// The annotation catalog: every `nginx.ingress.kubernetes.io/*` annotation Gatehouse supports,
// declared as data (key, schema, risk, doc, examples), as ingress-nginx declares its own
// (internal/ingress/annotations/parser). The webhook validates with it and the controller renders
// only what it accepts. An explicit list, no discovery: adding an annotation is a visible change.
import type { AnnotationEntry, ValueKinds } from './entry.js';
import { ACCESS_ANNOTATIONS } from './entries/access.js';
import { AFFINITY_ANNOTATIONS } from './entries/affinity.js';
import { CANARY_ANNOTATIONS } from './entries/canary.js';
import { CORS_ANNOTATIONS } from './entries/cors.js';
import { PROXY_ANNOTATIONS } from './entries/proxy.js';
import { REDIRECT_ANNOTATIONS } from './entries/redirect.js';
import { REWRITE_ANNOTATIONS } from './entries/rewrite.js';
import { SNIPPET_ANNOTATIONS } from './entries/snippets.js';
import { TLS_ANNOTATIONS } from './entries/tls.js';

export type { AnnotationEntry, NamespacedName, ValueKind, ValueKinds } from './entry.js';

/** Prefix of every annotation in the catalog. */
export const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

/** Every supported annotation, grouped by topic; keys are stored without the prefix. */
export const ANNOTATION_CATALOG = [
  ...REWRITE_ANNOTATIONS,
  ...TLS_ANNOTATIONS,
  ...PROXY_ANNOTATIONS,
  ...ACCESS_ANNOTATIONS,
  ...REDIRECT_ANNOTATIONS,
  ...CORS_ANNOTATIONS,
  ...AFFINITY_ANNOTATIONS,
  ...CANARY_ANNOTATIONS,
  ...SNIPPET_ANNOTATIONS,
] as const satisfies readonly AnnotationEntry[];

type CatalogEntry = (typeof ANNOTATION_CATALOG)[number];

/** A supported annotation key, without the prefix (`proxy-body-size`). */
export type AnnotationKey = CatalogEntry['key'];

/** The decoded type of an annotation's accepted value (`proxy-read-timeout` → number). */
export type AnnotationValue<K extends AnnotationKey> = ValueKinds[Extract<CatalogEntry, { key: K }>['kind']];

/** Accepted values of one Ingress, by key without prefix; absent keys were not set or not accepted. */
export type AnnotationValues = { readonly [K in AnnotationKey]?: AnnotationValue<K> };

const BY_KEY: ReadonlyMap<string, AnnotationEntry> = new Map(ANNOTATION_CATALOG.map((e) => [e.key, e]));

/** The entry for a key without prefix, or undefined when Gatehouse does not support it. */
export function catalogEntry(key: string): AnnotationEntry | undefined {
  return BY_KEY.get(key);
}

/** Snippets insert raw nginx configuration; any key ending in `-snippet` counts, known or not. */
export function isSnippetKey(key: string): boolean {
  return key.endsWith('-snippet');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The catalog as a Markdown table (annotation, risk, accepted values, example, what it does). */
export function catalogMarkdown(): string {
  const lines = [
    '| Annotation | Risk | Accepted values | Example | What it does |',
    '|---|---|---|---|---|',
  ];
  for (const e of ANNOTATION_CATALOG as readonly AnnotationEntry[]) {
    lines.push(
      `| \`${NGINX_ANNOTATION_PREFIX}${e.key}\` | ${e.risk} | ${cell(e.expects)} | \`${cell(e.examples[0])}\` | ${cell(e.doc)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// The annotation catalog: every `nginx.ingress.kubernetes.io/*` annotation Gatehouse knows,
// declared as data (key, schema, risk, doc, examples, and what the bundled controller does with
// it), as ingress-nginx declares its own (internal/ingress/annotations/parser). The webhook
// validates with it and the controller renders only what it accepts and implements. An explicit
// list, no discovery: adding an annotation is a visible change.
import type { AnnotationEntry, ControllerSupport, UnimplementedEntry } from './entry.js';
import { FEATURES } from './features/index.js';
import type { AcceptedValues } from './reader.js';

export type { AnnotationEntry, ControllerSupport, NamespacedName, UnimplementedEntry, ValueKind, ValueKinds } from './entry.js';

/** Prefix of every annotation in the catalog. */
export const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

/** Every annotation whose value Gatehouse validates, feature by feature; keys are stored without the prefix. */
export const ANNOTATION_CATALOG: readonly AnnotationEntry[] = FEATURES.flatMap((f) => f.entries);

/** Accepted values of one Ingress, by key without prefix; absent keys were not set or not accepted. */
export type AnnotationValues = AcceptedValues;

/**
 * The rest of ingress-nginx's annotations: known by key only, refused or ignored whatever the
 * value, because the controller does not implement them.
 */
export const UNIMPLEMENTED_ANNOTATIONS: readonly UnimplementedEntry[] = FEATURES.flatMap((f) => f.unimplemented ?? []);

/**
 * Keys the catalog does not list but that belong to a family the controller refuses: a future
 * ingress-nginx `auth-*` or `limit-*` annotation, or a typo of one, must not be served as if absent.
 */
const REFUSED_FAMILIES: readonly { readonly pattern: RegExp; readonly feature: string }[] = [
  { pattern: /^auth-/, feature: 'authentication' },
  { pattern: /^(?:limit-|global-rate-limit)/, feature: 'rate limiting' },
  { pattern: /^proxy-ssl-/, feature: 'upstream TLS authentication and verification' },
  { pattern: /^canary/, feature: 'canary traffic splitting' },
  { pattern: /-source-range$/, feature: 'client source ranges' },
  { pattern: /modsecurity|owasp/, feature: 'the ModSecurity web application firewall' },
  { pattern: /-snippet$/, feature: 'raw nginx configuration (snippets)' },
];

const BY_KEY: ReadonlyMap<string, AnnotationEntry> = new Map(ANNOTATION_CATALOG.map((e) => [e.key, e]));

/** What the controller does with each key the catalog lists (looked up per annotation of every Ingress of every render). */
const KNOWN_SUPPORT: ReadonlyMap<string, Support> = new Map(
  [...UNIMPLEMENTED_ANNOTATIONS, ...ANNOTATION_CATALOG].map((entry): [string, Support] => [
    entry.key,
    Object.freeze({ controller: entry.controller, feature: entry.feature ?? entry.key, ...(entry.differs ? { differs: entry.differs } : {}) }),
  ]),
);

/** The validated entry for a key without prefix, or undefined when Gatehouse does not validate it. */
export function catalogEntry(key: string): AnnotationEntry | undefined {
  return BY_KEY.get(key);
}

/** What the bundled controller does with an annotation, and the feature it asks for. */
export interface Support {
  readonly controller: ControllerSupport;
  readonly feature: string;
  /** How Gatehouse differs from ingress-nginx for this key, when it does. */
  readonly differs?: string;
}

/**
 * What the bundled controller does with a key without prefix: from its catalog entry, else from
 * the family it belongs to (refused); undefined for a key Gatehouse does not know at all.
 */
export function controllerSupport(key: string): Support | undefined {
  const known = KNOWN_SUPPORT.get(key);
  if (known) return known;
  const family = REFUSED_FAMILIES.find((f) => f.pattern.test(key));
  return family ? { controller: 'refuses', feature: family.feature } : undefined;
}

/** Snippets insert raw nginx configuration; any key ending in `-snippet` counts, known or not. */
export function isSnippetKey(key: string): boolean {
  return key.endsWith('-snippet');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** What the controller column says. */
const CONTROLLER_CELL: Readonly<Record<ControllerSupport, string>> = { renders: 'renders', refuses: '**refused**', ignores: 'ignored' };

/** The validated annotations as a Markdown table, feature by feature (feature, annotation, controller, risk, accepted values, example, what it does, difference from ingress-nginx). */
export function catalogMarkdown(): string {
  const lines = [
    '| Feature | Annotation | Controller | Risk | Accepted values | Example | What it does | Differs from ingress-nginx |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const f of FEATURES) {
    for (const e of f.entries as readonly AnnotationEntry[]) {
      lines.push(
        `| ${f.id} | \`${NGINX_ANNOTATION_PREFIX}${e.key}\` | ${CONTROLLER_CELL[e.controller]} | ${e.risk} | ${cell(e.expects)} | \`${cell(e.examples[0])}\` | ${cell(e.doc)} | ${cell(e.differs ?? '')} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The annotations known by key only, as a Markdown table (feature, annotation, controller, what it asks for, difference). */
export function unimplementedMarkdown(): string {
  const lines = ['| Feature | Annotation | Controller | What it asks for | Differs from ingress-nginx |', '|---|---|---|---|---|'];
  for (const f of FEATURES) {
    for (const e of f.unimplemented ?? []) {
      lines.push(`| ${f.id} | \`${NGINX_ANNOTATION_PREFIX}${e.key}\` | ${CONTROLLER_CELL[e.controller]} | ${cell(e.feature)} | ${cell(e.differs ?? '')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** How many known keys the controller renders, refuses and ignores (docs/annotations.md's summary). */
export function supportCounts(): Readonly<Record<ControllerSupport, number>> {
  const counts: Record<ControllerSupport, number> = { renders: 0, refuses: 0, ignores: 0 };
  for (const e of [...ANNOTATION_CATALOG, ...UNIMPLEMENTED_ANNOTATIONS]) counts[e.controller]++;
  return counts;
}

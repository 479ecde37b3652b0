// The shape of one annotation catalog entry, and the schema pieces entries share.
import type { RiskLevel } from '../rules/types.js';
import type { ValueCharset } from './safe-value.js';

/**
 * How an annotation's string value is decoded before its schema judges it:
 * - `string`, `snippet`: as is;
 * - `boolean`: Go's strconv.ParseBool spellings (`true`, `false`, `1`, `0`, `t`, `f`, `TRUE`,
 *   `True`, ...) become a boolean, as ingress-nginx parses them; anything else stays a string
 *   and fails the schema's `type: boolean`;
 * - `integer`: plain decimal digits become a number; anything else stays a string;
 * - `list`: split on commas, each item trimmed (`10.0.0.0/8, 192.168.0.0/16`);
 * - `namespaced-name`: `ns/name` or `name` becomes `{ namespace?, name }`.
 */
export type ValueKind = 'string' | 'boolean' | 'integer' | 'list' | 'namespaced-name' | 'snippet';

/** A reference to an object by `namespace/name`; no namespace means the Ingress's own. */
export interface NamespacedName {
  readonly namespace?: string;
  readonly name: string;
}

/** The TypeScript type of an accepted value, per kind. */
export interface ValueKinds {
  string: string;
  boolean: boolean;
  integer: number;
  list: readonly string[];
  'namespaced-name': NamespacedName;
  snippet: string;
}

/** A JSON Schema (draft-07, ajv strict mode) for a decoded value. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * What the bundled controller does with an annotation. Every catalog entry says it, and both the
 * annotations rule and the renderer read it from here, so admission and nginx.conf cannot drift:
 * - `renders`: implemented; the accepted value reaches nginx.conf.
 * - `refuses`: not implemented, and serving the Ingress without it would fail open (no
 *   authentication, rate limit, client or upstream TLS check, raw configuration dropped, canary
 *   traffic on the main route). The webhook denies it; the controller skips the whole Ingress.
 * - `ignores`: not implemented, and without it the same clients still reach the same backends
 *   with the same protections (buffers, logging, tracing, balancing). The webhook warns.
 * The reference list is ingress-nginx's:
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
 */
export type ControllerSupport = 'renders' | 'refuses' | 'ignores';

/**
 * An ingress-nginx annotation the controller does not implement, known by key only: its value is
 * never read, so it has no schema. Refused or ignored whatever the value.
 */
export interface UnimplementedEntry {
  /** Key without the prefix, e.g. `auth-url`. */
  readonly key: string;
  readonly controller: Exclude<ControllerSupport, 'renders'>;
  /** What it asks for, in a few words (`external authentication`); names it in messages. */
  readonly feature: string;
  /** How Gatehouse's handling differs from ingress-nginx's, for the migration report and docs. */
  readonly differs?: string;
}

/** Entries for keys of one unimplemented feature, all refused or all ignored. */
export function unimplemented(
  controller: UnimplementedEntry['controller'],
  feature: string,
  keys: readonly string[],
  differs?: string,
): readonly UnimplementedEntry[] {
  return keys.map((key) => ({ key, controller, feature, ...(differs !== undefined ? { differs } : {}) }));
}

/** One `nginx.ingress.kubernetes.io/*` annotation whose value Gatehouse validates, declared as data. */
export interface AnnotationEntry {
  /** Key without the prefix, e.g. `proxy-body-size`. */
  readonly key: string;
  readonly controller: ControllerSupport;
  /** What it asks for, in a few words; required unless the controller renders it. */
  readonly feature?: string;
  /**
   * How Gatehouse's handling differs from ingress-nginx's (a default, a value it refuses, a
   * behaviour plain nginx cannot give), in one sentence; shown by docs/annotations.md and the
   * migration report. Absent: same behaviour.
   */
  readonly differs?: string;
  readonly kind: ValueKind;
  /** Schema of the decoded value; compiled once by validate.ts. */
  readonly schema: JsonSchema;
  /** Longest raw value accepted, checked before anything else so decoding stays cheap. */
  readonly maxLength: number;
  /** Modelled on ingress-nginx's annotation risk; compared with `--annotations-risk-level`. */
  readonly risk: RiskLevel;
  /** What the annotation does (README table). */
  readonly doc: string;
  /** Accepted values in plain words; completes "invalid value …: must be …". */
  readonly expects: string;
  /** Valid values, first one shown in the README; a test checks each is accepted. */
  readonly examples: readonly [string, ...string[]];
  /** Characters allowed beyond the universal guard (default `plain`). */
  readonly charset?: ValueCharset;
  /**
   * The annotation only has an effect together with another one: without it, a warning.
   * `equals` compares the other annotation's decoded value.
   */
  readonly requires?: { readonly key: string; readonly equals?: string | boolean };
  /**
   * A last check of the decoded value, after the schema, for what a schema cannot express: the
   * length of what the value renders to in nginx.conf (nginx/parameter-length.ts). Returns why the
   * value is refused, completing "invalid value …: ". The controller parses with the same catalog,
   * so it refuses the same values.
   */
  readonly fits?: (value: unknown) => string | undefined;
}

// Shared schema pieces.

export const BOOLEAN = { type: 'boolean' } as const;

/** A boolean annotation's raw length limit (`false`). */
export const BOOLEAN_MAX_LENGTH = 5;

/** Whole seconds (or another count) within [minimum, maximum]. */
export function integerSchema<Min extends number, Max extends number>(minimum: Min, maximum: Max) {
  return { type: 'integer', minimum, maximum } as const;
}

export function patternSchema<P extends string, N extends number>(pattern: P, maxLength: N) {
  return { type: 'string', minLength: 1, maxLength, pattern } as const;
}

export function enumSchema<const V extends readonly string[]>(values: V) {
  return { type: 'string', enum: values } as const;
}

export function listSchema<const Items extends JsonSchema, N extends number>(items: Items, maxItems: N) {
  return { type: 'array', minItems: 1, maxItems, items } as const;
}

/** An absolute path: `/`, then RFC 3986 path characters the universal guard allows. */
export const ABSOLUTE_PATH = '^/[A-Za-z0-9._~%!&()*+,=:@/-]*$';

/** DNS-1123 label (a namespace name). https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ */
const DNS1123_LABEL = '^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$';
/** DNS-1123 subdomain (a Secret name). */
const DNS1123_SUBDOMAIN = '^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$';

export const NAMESPACED_NAME = {
  type: 'object',
  properties: {
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: DNS1123_LABEL },
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

/** `namespace/name`: 63 + 1 + 253. */
export const NAMESPACED_NAME_MAX_LENGTH = 317;

/** Snippets: raw nginx configuration, bounded only in size; gated by risk and a flag. */
export const SNIPPET = { type: 'string', maxLength: 8192 } as const;
export const SNIPPET_MAX_LENGTH = 8192;

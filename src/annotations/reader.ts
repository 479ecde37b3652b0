// Reading accepted annotation values inside a feature's `parse`: typed getters, and every string
// passed through nginx/escape.ts on the way, so a feature's config holds only renderable text.
import { escapeFor, type EscapeContext } from '../nginx/escape.js';

/**
 * Accepted annotation values of one Ingress, decoded and keyed without the
 * `nginx.ingress.kubernetes.io/` prefix (`{ 'proxy-body-size': '8m', 'use-regex': true }`).
 * Only values the catalog accepted get here (annotations/validate.ts).
 */
export type AcceptedValues = Readonly<Record<string, unknown>>;

/**
 * A value the catalog accepted but that cannot be served (not renderable safely, a Secret that is
 * missing or unusable): the webhook denies it and the controller leaves the whole Ingress out.
 */
export class Unrenderable extends Error {
  /** @param key the annotation (without prefix) it is about, for the finding's field path */
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/** Typed, escaped access to accepted values; a string that cannot be escaped throws Unrenderable. */
export class AnnotationReader {
  constructor(private readonly values: AcceptedValues) {}

  /** The keys set (and accepted). */
  keys(): string[] {
    return Object.keys(this.values).filter((k) => this.values[k] !== undefined);
  }

  /** Whether the key was set (and accepted). */
  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.values[key];
    return typeof v === 'boolean' ? v : undefined;
  }

  /** A whole number ≥ 0. */
  int(key: string): number | undefined {
    const v = this.values[key];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  }

  /** A string value, escaped for where it will be rendered. */
  str(key: string, context: EscapeContext): string | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    const escaped = typeof v === 'string' ? escapeFor(context, v) : undefined;
    if (escaped === undefined) throw new Unrenderable(`annotation ${key} cannot be rendered safely`, key);
    return escaped;
  }

  /** A string value known to be one of `allowed` (the catalog's enum). */
  oneOf<const V extends string>(key: string, allowed: readonly V[]): V | undefined {
    const v = this.values[key];
    return allowed.find((a) => a === v);
  }

  /** A list value, each item escaped. */
  list(key: string, context: EscapeContext): string[] | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    const items = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? escapeFor(context, x) : undefined)) : [undefined];
    if (items.some((x) => x === undefined)) throw new Unrenderable(`annotation ${key} cannot be rendered safely`, key);
    return items as string[];
  }

  /** A `namespace/name` reference, as decoded by the catalog (`namespaced-name` kind). */
  reference(key: string): { readonly namespace?: string; readonly name: string } | undefined {
    const v = this.values[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || typeof (v as { name?: unknown }).name !== 'string') {
      throw new Unrenderable(`annotation ${key} cannot be rendered safely`, key);
    }
    return v as { readonly namespace?: string; readonly name: string };
  }
}

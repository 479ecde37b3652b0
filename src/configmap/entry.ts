// The shape of one ConfigMap key, declared as data like an annotation catalog entry
// (annotations/entry.ts): ingress-nginx's key name, a schema judged by the same ajv machinery and
// value decoding, the default in force when the key is absent, and what it renders.
// https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/
import type { JsonSchema, ValueKind } from '../annotations/entry.js';
import type { ValueCharset } from '../annotations/safe-value.js';
import type { GlobalConfig } from './global-config.js';

/** One ConfigMap key Gatehouse reads. */
export interface ConfigMapEntry<F extends keyof GlobalConfig = keyof GlobalConfig> {
  /** ingress-nginx's key, e.g. `proxy-read-timeout`. */
  readonly key: string;
  /** The typed field of GlobalConfig it sets. */
  readonly field: F;
  /** How the raw string is decoded before the schema judges it (annotations/decode.ts). */
  readonly kind: Exclude<ValueKind, 'namespaced-name' | 'snippet'>;
  /** Schema of the decoded value (ajv strict, the annotation formats registered). */
  readonly schema: JsonSchema;
  /** Longest raw value accepted, checked first. */
  readonly maxLength: number;
  /** Characters allowed beyond the universal guard (default `plain`; annotations/safe-value.ts). */
  readonly charset?: ValueCharset;
  /** The raw default, as the ConfigMap would spell it: the value in force when the key is absent. */
  readonly default: string;
  /**
   * The controller flag this key overrides when set: absent, the field stays undefined and the
   * flag decides (its own default being `default`).
   */
  readonly flag?: string;
  /** Turns the decoded, schema-valid value into the typed field (default: as decoded). */
  readonly convert?: (value: never) => GlobalConfig[F];
  /** What the key does (docs/configmap.md). */
  readonly doc: string;
  /** The nginx directive(s) it renders, and where. */
  readonly renders: string;
  /** Accepted values in plain words; completes "must be …". */
  readonly expects: string;
  /** Valid values; a test checks each is accepted. */
  readonly examples: readonly [string, ...string[]];
  /** Values refused; a test checks each is refused. */
  readonly refused: readonly string[];
  /** How Gatehouse differs from ingress-nginx (a default, a value range), in one sentence. */
  readonly differs?: string;
  /** A last check after the schema (e.g. a size nginx would refuse); returns why, completing "must …". */
  readonly fits?: (value: never) => string | undefined;
}

/** A group of keys (one module under groups/), like an annotation feature. */
export interface ConfigMapGroup {
  readonly id: string;
  /** One line for docs/configmap.md. */
  readonly title: string;
  readonly entries: readonly ConfigMapEntry[];
}

/** Declares an entry with its field's type checked against `convert`. */
export function entry<F extends keyof GlobalConfig>(e: ConfigMapEntry<F>): ConfigMapEntry {
  return e as unknown as ConfigMapEntry;
}

/** nginx size syntax: a number with an optional k/m suffix. http://nginx.org/en/docs/syntax.html */
export const SIZE_PATTERN = '^[1-9][0-9]{0,6}[kKmM]?$';

/** Bytes of an nginx size (`8k` → 8192). */
export function sizeBytes(size: string): number {
  const m = /^([0-9]+)([kKmMgG]?)$/.exec(size);
  if (!m) return NaN;
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
}

/** A size schema: nginx syntax, then bounded in bytes by `fits`. */
export function sizeEntryFits(min: number, max: number): (value: never) => string | undefined {
  return (value: never) => {
    const bytes = sizeBytes(value as string);
    return bytes < min || bytes > max ? `must be from ${min} bytes to ${max / 1024 >= 1024 ? `${max / 1024 ** 2}m` : `${max / 1024}k`}` : undefined;
  };
}

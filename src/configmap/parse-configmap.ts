// ConfigMap data → GlobalConfig, judged by the annotation machinery: the universal character guard
// (annotations/safe-value.ts), the same value decoding and ajv with the same formats, compiled once.
// A ConfigMap is accepted whole or refused whole: a half-applied configuration is one nobody wrote.
import { Ajv, type ValidateFunction } from 'ajv';
import { decode } from '../annotations/decode.js';
import { ANNOTATION_FORMATS } from '../annotations/formats.js';
import { quoteValue } from '../annotations/quote-value.js';
import { unsafeCharacter } from '../annotations/safe-value.js';
import { CONFIGMAP_ENTRIES, configMapEntry, OTHER_FEATURE_KEYS, refusedFeature } from './catalog.js';
import type { ConfigMapEntry } from './entry.js';
import type { GlobalConfig } from './global-config.js';

function compile(): ReadonlyMap<string, ValidateFunction> {
  const ajv = new Ajv({ strict: true, allErrors: false });
  for (const [name, validate] of Object.entries(ANNOTATION_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  return new Map(CONFIGMAP_ENTRIES.map((e) => [e.key, ajv.compile(e.schema)]));
}

const VALIDATORS = compile();

/** One key's value judged: the typed value, or why it is refused ("must …"). */
export type KeyVerdict = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** Judges one raw value of a catalog key. */
export function judgeConfigMapValue(entry: ConfigMapEntry, raw: unknown): KeyVerdict {
  if (typeof raw !== 'string') return { ok: false, reason: 'must be a string' };
  // The guard runs first, whatever the schema says: a schema too loose must not open a hole.
  const unsafe = unsafeCharacter(raw, entry.charset ?? 'plain');
  if (unsafe !== undefined) return { ok: false, reason: `must not contain ${unsafe}` };
  if (raw.length > entry.maxLength) return { ok: false, reason: `is ${raw.length} characters long; at most ${entry.maxLength} are allowed` };
  const decoded = decode(entry.kind, raw);
  if (!VALIDATORS.get(entry.key)!(decoded)) return { ok: false, reason: `must be ${entry.expects}` };
  const misfit = entry.fits?.(decoded as never);
  if (misfit !== undefined) return { ok: false, reason: misfit };
  return { ok: true, value: entry.convert ? entry.convert(decoded as never) : decoded };
}

function defaults(): GlobalConfig {
  const out: Record<string, unknown> = {};
  for (const e of CONFIGMAP_ENTRIES) {
    const verdict = judgeConfigMapValue(e, e.default);
    // A default the schema refuses is a bug in the catalog (the catalog test catches it first).
    if (!verdict.ok) throw new TypeError(`ConfigMap key ${e.key}: default ${JSON.stringify(e.default)} ${verdict.reason}`);
    out[e.field] = e.flag === undefined ? verdict.value : undefined;
  }
  return Object.freeze(out) as unknown as GlobalConfig;
}

/** The configuration in force without a ConfigMap (or with an empty one). */
export const DEFAULT_GLOBAL_CONFIG: GlobalConfig = defaults();

/** A refused key: which, and why, in one sentence. */
export interface ConfigMapProblem {
  readonly key: string;
  readonly message: string;
}

export type ParsedConfigMap =
  | {
      readonly ok: true;
      readonly config: GlobalConfig;
      /** Keys set in the ConfigMap and read here, sorted. */
      readonly applied: readonly string[];
      /** Keys neither read here nor by another feature: ignored (ingress-nginx keys Gatehouse does not implement, typos). */
      readonly ignored: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly ConfigMapProblem[] };

/**
 * The ConfigMap's `data` → the global configuration. Every problem is reported at once (the
 * operator fixes them in one edit); any problem refuses the whole ConfigMap. Never throws.
 */
export function parseConfigMap(data: Readonly<Record<string, unknown>> | undefined): ParsedConfigMap {
  const config: Record<string, unknown> = { ...DEFAULT_GLOBAL_CONFIG };
  const problems: ConfigMapProblem[] = [];
  const applied: string[] = [];
  const ignored: string[] = [];
  for (const key of Object.keys(data ?? {}).sort()) {
    const raw = data![key];
    const entry = configMapEntry(key);
    if (!entry) {
      const feature = refusedFeature(key);
      if (feature) problems.push({ key, message: `${key}: Gatehouse does not implement ${feature}; serving without it would fail open` });
      else if (!OTHER_FEATURE_KEYS.includes(key)) ignored.push(key);
      continue;
    }
    const verdict = judgeConfigMapValue(entry, raw);
    if (!verdict.ok) {
      problems.push({ key, message: `${key}: invalid value ${typeof raw === 'string' ? quoteValue(raw, 60) : String(raw)}: ${verdict.reason}` });
      continue;
    }
    config[entry.field] = verdict.value;
    applied.push(key);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: Object.freeze(config) as unknown as GlobalConfig, applied, ignored };
}

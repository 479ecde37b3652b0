// One Ingress's accepted annotation values → each feature's typed config (features/): what the
// renderer reads, and what the annotations rule runs too, so a value the controller cannot serve
// is denied at admission with the same message.
import { controllerSupport } from './catalog.js';
import type { ParseContext } from './feature.js';
import { featureConfigsOf, type FeatureConfigs } from './features/index.js';
import { AnnotationReader, Unrenderable, type AcceptedValues } from './reader.js';

export type { AcceptedValues as AnnotationValues } from './reader.js';

/** What the annotations of one Ingress mean for each of its locations. */
export interface IngressSettings {
  /** The config of each feature that is on, by feature id. */
  readonly features: FeatureConfigs;
  /** Accepted annotations the catalog says the controller ignores (for warnings). */
  readonly ignored: readonly string[];
}

/** Why the annotations cannot be served, and the annotation (key without prefix) it is about. */
export interface SettingsError {
  readonly error: string;
  readonly key?: string;
}

/**
 * Interprets accepted annotation values; `{ error }` names the first value that cannot be rendered.
 * A value whose catalog entry does not say `renders` or `ignores` (a refused annotation, or a key
 * the catalog does not know) makes the whole Ingress unrenderable: it is never dropped silently.
 */
export function ingressSettingsOf(values: AcceptedValues, context: ParseContext = { namespace: '' }): IngressSettings | SettingsError {
  const notRendered: string[] = [];
  const ignored: string[] = [];
  for (const k of Object.keys(values)) {
    const controller = controllerSupport(k)?.controller;
    if (controller === 'ignores') ignored.push(k);
    else if (controller !== 'renders') notRendered.push(k);
  }
  if (notRendered.length > 0) {
    notRendered.sort();
    return { error: `the controller does not implement annotation ${notRendered.join(', ')}`, key: notRendered[0]! };
  }
  const read = new AnnotationReader(values);
  let features: FeatureConfigs;
  try {
    features = featureConfigsOf(read, context);
  } catch (err) {
    if (err instanceof Unrenderable) return { error: err.message, ...(err.key !== undefined ? { key: err.key } : {}) };
    throw err;
  }
  return { features, ignored: ignored.sort() };
}

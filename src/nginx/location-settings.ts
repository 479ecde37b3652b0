// One Ingress's accepted annotation values → each feature's typed config
// (annotations/features/), what the renderer and compile-ingress.ts read.
import { controllerSupport } from '../annotations/catalog.js';
import type { ParseContext } from '../annotations/feature.js';
import { featureConfigsOf, type FeatureConfigs } from '../annotations/features/index.js';
import { AnnotationReader, Unrenderable, type AcceptedValues } from '../annotations/reader.js';

export type { AcceptedValues as AnnotationValues } from '../annotations/reader.js';

/** What the annotations of one Ingress mean for each of its locations. */
export interface IngressSettings {
  /** The config of each feature that is on, by feature id. */
  readonly features: FeatureConfigs;
  /** Accepted annotations the catalog says the controller ignores (for warnings). */
  readonly ignored: readonly string[];
}

/**
 * Interprets accepted annotation values; `{ error }` names the first value that cannot be rendered.
 * A value whose catalog entry does not say `renders` or `ignores` (a refused annotation, or a key
 * the catalog does not know) makes the whole Ingress unrenderable: it is never dropped silently.
 */
export function ingressSettingsOf(values: AcceptedValues, context: ParseContext = { namespace: '' }): IngressSettings | { readonly error: string } {
  const keys = Object.keys(values).sort();
  const notRendered = keys.filter((k) => {
    const controller = controllerSupport(k)?.controller;
    return controller !== 'renders' && controller !== 'ignores';
  });
  if (notRendered.length > 0) return { error: `the controller does not implement annotation ${notRendered.join(', ')}` };
  const read = new AnnotationReader(values);
  let features: FeatureConfigs;
  try {
    features = featureConfigsOf(read, context);
  } catch (err) {
    if (err instanceof Unrenderable) return { error: err.message };
    throw err;
  }
  return {
    features,
    ignored: keys.filter((k) => controllerSupport(k)?.controller === 'ignores'),
  };
}

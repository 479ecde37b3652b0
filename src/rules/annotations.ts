import { validateAnnotations, ANNOTATIONS_RULE_ID } from '../annotations/validate.js';
import type { Rule } from './types.js';

/**
 * `nginx.ingress.kubernetes.io/*` annotations against the annotation catalog: invalid values,
 * risk above `--annotations-risk-level` and snippets (unless allowed) are denied; unknown keys
 * and annotations without effect are warnings. See src/annotations/validate.ts.
 */
export const annotationsRule: Rule = {
  id: ANNOTATIONS_RULE_ID,
  doc: 'nginx.ingress.kubernetes.io/* annotations are in the catalog, have valid values and a risk within --annotations-risk-level; snippets need --allow-snippet-annotations',
  check: (ingress, ctx) => validateAnnotations(ingress, ctx.options),
};

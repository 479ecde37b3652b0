import { ingressSettingsOf } from '../annotations/ingress-settings.js';
import { NGINX_ANNOTATION_PREFIX } from '../annotations/catalog.js';
import { parseAnnotations, ANNOTATIONS_RULE_ID } from '../annotations/validate.js';
import { annotationPath } from './field-path.js';
import { ingressNamespace } from './ingress-namespace.js';
import type { Rule } from './types.js';

/**
 * `nginx.ingress.kubernetes.io/*` annotations against the annotation catalog: invalid values,
 * risk above `--annotations-risk-level` and snippets (unless allowed) are denied; unknown keys
 * and annotations without effect are warnings. See src/annotations/validate.ts. Accepted values
 * then go through the features' own interpretation, as the controller reads them (a referenced
 * Secret that is missing or unusable, a value that cannot be rendered safely): what the
 * controller would leave out is denied here, with its reason.
 */
export const annotationsRule: Rule = {
  id: ANNOTATIONS_RULE_ID,
  doc: 'nginx.ingress.kubernetes.io/* annotations are in the catalog, have valid values and a risk within --annotations-risk-level, and can be served as the controller reads them (referenced Secrets usable); snippets need --allow-snippet-annotations',
  check(ingress, ctx) {
    const parsed = parseAnnotations(ingress, ctx.options);
    if (parsed.rejected) return parsed.findings;
    const settings = ingressSettingsOf(parsed.values, { namespace: ingressNamespace(ingress), cluster: ctx.cluster });
    if (!('error' in settings)) return parsed.findings;
    const path = settings.key !== undefined ? annotationPath(NGINX_ANNOTATION_PREFIX + settings.key) : 'metadata.annotations';
    return [...parsed.findings, { rule: ANNOTATIONS_RULE_ID, severity: 'deny', path, message: settings.error }];
  },
};

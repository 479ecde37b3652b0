import { BOOLEAN, BOOLEAN_MAX_LENGTH, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';

/** Proxying to the Service's ClusterIP instead of its endpoints (nginx/upstreams.ts). */
export const serviceUpstreamFeature = defineFeature({
  id: 'service-upstream',
  entries: [
  {
    key: 'service-upstream',
    controller: 'renders',
    kind: 'boolean',
    schema: BOOLEAN,
    maxLength: BOOLEAN_MAX_LENGTH,
    risk: 'low',
    doc: "Proxy to the Service's ClusterIP and port instead of its endpoints: kube-proxy balances, and endpoint changes never touch nginx. ExternalName and headless Services keep their usual rendering.",
    expects: '"true" or "false"',
    examples: ['true', 'false'],
  },
  ] as const satisfies readonly AnnotationEntry[],
  parse(read): true | undefined {
    return read.bool('service-upstream') === true ? true : undefined;
  },
});

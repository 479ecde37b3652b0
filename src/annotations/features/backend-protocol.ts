import { enumSchema, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import type { BackendProtocol } from '../../nginx/model.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPCS'] as const satisfies readonly BackendProtocol[];

/** The protocol nginx speaks to the backend: `proxy_pass http(s)://` or `grpc_pass grpc(s)://` (nginx/upstreams.ts). */
export const backendProtocolFeature = defineFeature({
  id: 'backend-protocol',
  entries: [
  {
    key: 'backend-protocol',
    controller: 'renders',
    kind: 'string',
    // ingress-nginx upper-cases the value first; Gatehouse takes the documented spelling only,
    // so what is written is what is rendered.
    schema: enumSchema(['HTTP', 'HTTPS', 'GRPC', 'GRPCS']),
    maxLength: 5,
    risk: 'low',
    doc: 'Protocol nginx speaks to the backend.',
    expects: 'one of HTTP, HTTPS, GRPC, GRPCS (upper case)',
    examples: ['HTTPS', 'GRPC', 'HTTP', 'GRPCS'],
  },
  ] as const satisfies readonly AnnotationEntry[],
  parse(read): BackendProtocol | undefined {
    return read.oneOf('backend-protocol', PROTOCOLS);
  },
});

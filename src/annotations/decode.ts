// How an annotation's raw string is read for its kind, before its schema judges it (entry.ts ValueKind).
import type { ValueKind } from './entry.js';
import { parseGoBool } from './go-bool.js';
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;

/** The raw string as its kind reads it; a string that does not decode is left for the schema to refuse. */
export function decode(kind: ValueKind, raw: string): unknown {
  switch (kind) {
    case 'boolean':
      return parseGoBool(raw) ?? raw;
    case 'integer':
      return DECIMAL.test(raw) ? Number(raw) : raw;
    case 'list':
      return raw.split(',').map((item) => item.trim());
    case 'namespaced-name': {
      const slash = raw.indexOf('/');
      return slash < 0 ? { name: raw } : { namespace: raw.slice(0, slash), name: raw.slice(slash + 1) };
    }
    default:
      return raw;
  }
}

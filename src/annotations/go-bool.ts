// Go's strconv.ParseBool, the way ingress-nginx reads boolean annotations
// (https://pkg.go.dev/strconv#ParseBool): one home for the spellings, used by the catalog's
// decoder and by code that reads one boolean annotation of another Ingress (canary.ts).

const TRUE_SPELLINGS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_SPELLINGS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** `true`/`false` for a Go ParseBool spelling, undefined for anything else (absent included). */
export function parseGoBool(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  return TRUE_SPELLINGS.has(raw) ? true : FALSE_SPELLINGS.has(raw) ? false : undefined;
}

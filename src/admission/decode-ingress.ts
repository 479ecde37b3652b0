/**
 * Decoding at the edge: the JSON types of every Ingress field a mutator or rule reads, checked
 * once, so rules only ever see the typed shape. The API server does the same before admission
 * (a string where a list belongs is a 400 BadRequest there, "cannot unmarshal string into
 * []IngressRule"), so only hand-written requests and `gatehouse check` files ever fail here.
 * Values (pathType spelling, port ranges…) are the rules' business, not decoding's.
 * https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/
 */

/** A field whose JSON type is wrong, as the API server's decoder would name it. */
export interface ShapeProblem {
  readonly path: string;
  readonly message: string;
}

type Check = (value: unknown, path: string) => ShapeProblem | undefined;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const str: Check = (v, p) => (typeof v === 'string' ? undefined : { path: p, message: `must be a string, not ${kindOf(v)}` });
const int: Check = (v, p) => (Number.isInteger(v) ? undefined : { path: p, message: `must be an integer, not ${kindOf(v)}` });
const intOrString: Check = (v, p) =>
  typeof v === 'string' || Number.isInteger(v) ? undefined : { path: p, message: `must be an integer or a string, not ${kindOf(v)}` };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose listed fields, when present (null counts as absent, as in Go), pass their checks. */
function object(fields: Readonly<Record<string, Check>>): Check {
  const checks = Object.entries(fields);
  return (v, p) => {
    if (!isRecord(v)) return { path: p, message: `must be an object, not ${kindOf(v)}` };
    for (const [key, check] of checks) {
      const field = v[key];
      if (field === undefined || field === null) continue;
      const problem = check(field, p === '' ? key : `${p}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function list(item: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return { path: p, message: `must be a list, not ${kindOf(v)}` };
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${p}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** `check`, and the field `key` must be present (normalize-ingress.ts and the rules read `http.paths` unguarded). */
function required(key: string, check: Check): Check {
  return (v, p) => (isRecord(v) && v[key] == null ? { path: `${p}.${key}`, message: 'required' } : check(v, p));
}

function stringMap(v: unknown, p: string): ShapeProblem | undefined {
  if (!isRecord(v)) return { path: p, message: `must be an object, not ${kindOf(v)}` };
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== 'string') return { path: `${p}[${key}]`, message: `must be a string, not ${kindOf(value)} (quote it in YAML)` };
  }
  return undefined;
}

// v1 `service`/`resource` plus the v1beta1 `serviceName`/`servicePort` that normalize-ingress.ts converts.
const backend = object({
  service: object({ name: str, port: object({ name: str, number: int }) }),
  resource: object({ apiGroup: str, kind: str, name: str }),
  serviceName: str,
  servicePort: intOrString,
});

const INGRESS = object({
  metadata: object({ name: str, generateName: str, namespace: str, labels: stringMap, annotations: stringMap }),
  spec: object({
    ingressClassName: str,
    defaultBackend: backend,
    backend,
    tls: list(object({ hosts: list(str), secretName: str })),
    rules: list(
      object({
        host: str,
        http: required('paths', object({ paths: list(required('backend', object({ path: str, pathType: str, backend }))) })),
      }),
    ),
  }),
});

/** The first field of `object` that cannot be an Ingress's, or undefined when its fields have the right types. */
export function ingressShapeProblem(object: unknown): ShapeProblem | undefined {
  return INGRESS(object, '');
}

/** A copy without null-valued fields: Go decodes `field: null` as absent, and so do the rules. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = value[key];
    if (field !== null) out[key] = withoutNulls(field);
  }
  return out;
}

/**
 * Fields of every object the API server sends that no rule, mutator or ownership check reads:
 * left out of the copy, not walked. managedFields is most of a real review's bytes (a few KiB of
 * `f:`/`k:` keys per field manager), status is the controller's to write.
 * https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
 */
const UNREAD_METADATA = 'managedFields';
const UNREAD_TOP_LEVEL = 'status';

/** The Ingress as the rules read it: nulls dropped, unread fields left out. */
function rulesView(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const field = object[key];
    if (field === null || key === UNREAD_TOP_LEVEL) continue;
    if (key === 'metadata' && isRecord(field)) {
      const metadata: Record<string, unknown> = {};
      for (const k of Object.keys(field)) {
        const v = field[k];
        if (v !== null && k !== UNREAD_METADATA) metadata[k] = withoutNulls(v);
      }
      out[key] = metadata;
    } else out[key] = withoutNulls(field);
  }
  return out;
}

/** The Ingress as the rules may read it (types checked, nulls dropped), or the first field that is wrong. */
export function decodeIngress(object: unknown): { readonly ingress: Record<string, unknown> } | { readonly problem: ShapeProblem } {
  const problem = ingressShapeProblem(object);
  return problem ? { problem } : { ingress: rulesView(object as Record<string, unknown>) };
}

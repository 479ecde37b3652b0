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

/**
 * A check of one value: the problem, with its path relative to the value ('' for the value
 * itself), or undefined. Paths are joined only on the way out of a problem: a well-typed Ingress
 * (every review the API server sends) builds no path string at all.
 */
type Check = (value: unknown) => ShapeProblem | undefined;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `problem`, one level down: under field `key` of an object. */
function underField(key: string, problem: ShapeProblem): ShapeProblem {
  const rest = problem.path;
  return { path: rest === '' ? key : rest.startsWith('[') ? `${key}${rest}` : `${key}.${rest}`, message: problem.message };
}

/** `problem`, one level down: under `[index]` of a list or a map. */
function underIndex(index: number | string, problem: ShapeProblem): ShapeProblem {
  const rest = problem.path;
  return { path: rest === '' || rest.startsWith('[') ? `[${index}]${rest}` : `[${index}].${rest}`, message: problem.message };
}

const str: Check = (v) => (typeof v === 'string' ? undefined : { path: '', message: `must be a string, not ${kindOf(v)}` });
const int: Check = (v) => (Number.isInteger(v) ? undefined : { path: '', message: `must be an integer, not ${kindOf(v)}` });
const intOrString: Check = (v) =>
  typeof v === 'string' || Number.isInteger(v) ? undefined : { path: '', message: `must be an integer or a string, not ${kindOf(v)}` };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose listed fields, when present (null counts as absent, as in Go), pass their checks. */
function object(fields: Readonly<Record<string, Check>>): Check {
  const keys = Object.keys(fields);
  const checks = keys.map((k) => fields[k]!);
  return (v) => {
    if (!isRecord(v)) return { path: '', message: `must be an object, not ${kindOf(v)}` };
    for (let i = 0; i < keys.length; i++) {
      const field = v[keys[i]!];
      if (field === undefined || field === null) continue;
      const problem = checks[i]!(field);
      if (problem) return underField(keys[i]!, problem);
    }
    return undefined;
  };
}

function list(item: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return { path: '', message: `must be a list, not ${kindOf(v)}` };
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i]);
      if (problem) return underIndex(i, problem);
    }
    return undefined;
  };
}

/** `check`, and the field `key` must be present (normalize-ingress.ts and the rules read `http.paths` unguarded). */
function required(key: string, check: Check): Check {
  return (v) => (isRecord(v) && v[key] == null ? { path: key, message: 'required' } : check(v));
}

function stringMap(v: unknown): ShapeProblem | undefined {
  if (!isRecord(v)) return { path: '', message: `must be an object, not ${kindOf(v)}` };
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (typeof value !== 'string') return underIndex(key, { path: '', message: `must be a string, not ${kindOf(value)} (quote it in YAML)` });
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
  return INGRESS(object);
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
 * left out of the view, never walked. managedFields is most of a real review's bytes (a few KiB of
 * `f:`/`k:` keys per field manager), status is the controller's to write.
 * https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
 */
const UNREAD_METADATA = 'managedFields';
const UNREAD_TOP_LEVEL = 'status';

/**
 * Whether `value` holds a null-valued field anywhere, i.e. whether withoutNulls would change it
 * (list items are kept, null or not). Iterative: a deeply nested body must not overflow the stack.
 */
function holdsNull(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) if (typeof item === 'object' && item !== null) stack.push(item as object);
    } else {
      for (const key in node) {
        const field = (node as Record<string, unknown>)[key];
        if (field === null) return true;
        if (typeof field === 'object') stack.push(field as object);
      }
    }
  }
  return false;
}

/** `value` without nulls: itself when it holds none (almost always), else a copy. */
function nullFree(value: unknown): unknown {
  return holdsNull(value) ? withoutNulls(value) : value;
}

/**
 * The Ingress as the rules read it: nulls dropped, unread fields left out. Only the top level and
 * metadata are new objects; a field without nulls (spec, annotations… in every review the API
 * server sends) is the request's own, shared read-only (the Ingress types are readonly; rules are
 * pure) rather than copied.
 */
function rulesView(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const field = object[key];
    if (field === null || key === UNREAD_TOP_LEVEL) continue;
    if (key === 'metadata' && isRecord(field)) {
      const metadata: Record<string, unknown> = {};
      for (const k of Object.keys(field)) {
        const v = field[k];
        if (v !== null && k !== UNREAD_METADATA) metadata[k] = nullFree(v);
      }
      out[key] = metadata;
    } else out[key] = nullFree(field);
  }
  return out;
}

/** The Ingress as the rules may read it (types checked, nulls dropped), or the first field that is wrong. */
export function decodeIngress(object: unknown): { readonly ingress: Record<string, unknown> } | { readonly problem: ShapeProblem } {
  const problem = ingressShapeProblem(object);
  return problem ? { problem } : { ingress: rulesView(object as Record<string, unknown>) };
}

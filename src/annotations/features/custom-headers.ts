import { escapeFor, quoted } from '../../nginx/escape.js';
import { parameterLengthProblem } from '../../nginx/parameter-length.js';
import { RESPONSE_HEADERS_LABEL } from '../../k8s/types.js';
import { NAMESPACED_NAME, NAMESPACED_NAME_MAX_LENGTH, type AnnotationEntry } from '../entry.js';
import { defineFeature } from '../feature.js';
import { Unrenderable } from '../reader.js';

/** Header names: an RFC 9110 token, letters, digits, `-` and `_` (ingress-nginx's own pattern). */
const HEADER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * Headers nginx or HTTP itself owns: `add_header` adds, so a second Content-Length or
 * Transfer-Encoding would make the response's framing ambiguous (response splitting), and the
 * hop-by-hop ones are the connection's, not the response's.
 */
const RESERVED = new Set(['connection', 'content-encoding', 'content-length', 'content-type', 'date', 'keep-alive', 'location', 'proxy-connection', 'server', 'status', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Headers one ConfigMap may add. */
export const MAX_CUSTOM_HEADERS = 32;

const KEY = 'custom-headers';

/** Response headers from a ConfigMap: ingress-nginx's more_set_headers, here add_header + hide. */
export const CUSTOM_HEADER_ANNOTATIONS = [
  {
    key: KEY,
    controller: 'renders',
    kind: 'namespaced-name',
    schema: NAMESPACED_NAME,
    maxLength: NAMESPACED_NAME_MAX_LENGTH,
    // High (ingress-nginx says medium), as every object reference in the catalog: it reads cluster data.
    risk: 'high',
    doc: `ConfigMap in the Ingress's namespace, labelled \`${RESPONSE_HEADERS_LABEL}\`, whose data are response headers (name: value) set on every response, error pages included (the backend's header of the same name is replaced).`,
    differs:
      `Only ConfigMaps labelled ${RESPONSE_HEADERS_LABEL} are read (Gatehouse watches no others) and only in the Ingress's own namespace; no operator allow-list (global-allowed-response-headers): any token name but framing and hop-by-hop headers (Content-Length, Content-Type, Connection, ...), at most ${MAX_CUSTOM_HEADERS}, values printable ASCII without " \\ $.`,
    expects: 'a ConfigMap name, or namespace/name in the Ingress\'s namespace',
    examples: ['security-headers'],
  },
] as const satisfies readonly AnnotationEntry[];

export interface CustomHeadersConfig {
  /** `namespace/name` of the ConfigMap. */
  readonly configMap: string;
  /**
   * Name and quoted value, sorted by name; undefined when the snapshot holds no ConfigMaps at all
   * (a file snapshot without them): admission does not deny, and a location that would be served
   * without its headers answers 503 instead.
   */
  readonly headers?: readonly (readonly [string, string])[];
}

/** Why one header of the ConfigMap cannot be served, or undefined. */
function headerProblem(name: string, value: unknown): string | undefined {
  if (!HEADER_NAME.test(name)) return `header name ${JSON.stringify(name)} is not a token of letters, digits, "-" and "_" (at most 64)`;
  if (RESERVED.has(name.toLowerCase())) return `header ${name} is set by nginx or HTTP itself and cannot be added`;
  if (typeof value !== 'string' || escapeFor('quoted-header', value) === undefined) {
    return `the value of header ${name} must be printable ASCII without '"', '\\\\' or '$' (at most 2048 characters)`;
  }
  const long = parameterLengthProblem(value);
  return long && `the value of header ${name} is ${long}`;
}

export const customHeadersFeature = defineFeature({
  id: 'custom-headers',
  entries: CUSTOM_HEADER_ANNOTATIONS,
  parse(read, { namespace, cluster }): CustomHeadersConfig | undefined {
    const ref = read.reference(KEY);
    if (ref === undefined) return undefined;
    const ns = ref.namespace ?? namespace;
    // ingress-nginx: "Only ConfigMaps on the same namespace are allowed".
    if (ns !== namespace) throw new Unrenderable(`annotation ${KEY}: ConfigMap ${ns}/${ref.name} is not in the Ingress's namespace ${namespace}`, KEY);
    const configMap = `${ns}/${ref.name}`;
    if (!cluster?.covers('ConfigMap')) return { configMap };
    const found = cluster.configMap(ns, ref.name);
    if (!found || found.metadata.labels?.[RESPONSE_HEADERS_LABEL] === undefined) {
      throw new Unrenderable(`annotation ${KEY}: ConfigMap ${configMap} not found with label ${RESPONSE_HEADERS_LABEL} (the only ConfigMaps Gatehouse reads)`, KEY);
    }
    const entries = Object.entries(found.data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > MAX_CUSTOM_HEADERS) throw new Unrenderable(`annotation ${KEY}: ConfigMap ${configMap} has ${entries.length} headers; at most ${MAX_CUSTOM_HEADERS}`, KEY);
    const headers: [string, string][] = [];
    for (const [name, value] of entries) {
      const problem = headerProblem(name, value);
      if (problem) throw new Unrenderable(`annotation ${KEY}: ConfigMap ${configMap}: ${problem}`, KEY);
      headers.push([name, quoted(value)]);
    }
    return { configMap, headers };
  },
  /**
   * `add_header … always` sets it on every status, as more_set_headers does; hiding the backend's
   * header of the same name first makes it a replacement, not a second header.
   */
  location(c, { pass, proxies }) {
    if (c.headers === undefined) return { rewrite: ['return 503;'] };
    return {
      directives: [
        ...(proxies ? c.headers.map(([name]) => `${pass}_hide_header ${name};`) : []),
        ...c.headers.map(([name, value]) => `add_header ${name} ${value} always;`),
      ],
    };
  },
});

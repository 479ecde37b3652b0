// The resource types the fake API server serves, and the discovery documents built from them.
// Shapes follow https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris

export interface ResourceType {
  /** API group; '' is the legacy core group served under /api. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Field selector labels this resource supports besides metadata.name and metadata.namespace. */
  readonly fields: readonly string[];
  /** Whether writes to the main resource keep `status` and `/status` writes keep everything else. */
  readonly statusSubresource: boolean;
}

function r(group: string, version: string, plural: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group, version, plural, kind, namespaced, fields: [], statusSubresource: false, ...extra };
}

export const RESOURCES: readonly ResourceType[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, { fields: ['status.phase'], statusSubresource: true }),
  r('', 'v1', 'services', 'Service', true, { statusSubresource: true }),
  // https://kubernetes.io/docs/concepts/configuration/secret/#secret-types: `type` is a supported field selector.
  r('', 'v1', 'secrets', 'Secret', true, { fields: ['type'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', true),
  r('', 'v1', 'events', 'Event', true, { fields: ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'reason', 'type'] }),
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { statusSubresource: true }),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, { fields: ['addressType'] }),
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  r('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
];

export function apiVersionOf(res: ResourceType): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** `secrets` or `ingresses.networking.k8s.io`, as the API server names resources in messages. */
export function qualifiedName(res: ResourceType): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

export function resourceByPath(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
}

export function resourceByKind(kind: string | undefined, apiVersion?: string): ResourceType | undefined {
  return RESOURCES.find((x) => x.kind === kind && (apiVersion === undefined || apiVersionOf(x) === apiVersion));
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** GET /api, /apis, /api/v1, /apis/{group}/{version}, /version; undefined for any other path. */
export function discoveryDocument(pathname: string): object | undefined {
  if (pathname === '/version') return { major: '1', minor: '33', gitVersion: 'v1.33.0-fake', platform: 'linux/amd64' };
  if (pathname === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (pathname === '/apis') {
    const groups = [...new Set(RESOURCES.filter((x) => x.group).map((x) => `${x.group}/${x.version}`))].map((gv) => {
      const [name, version] = gv.split('/') as [string, string];
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(pathname);
  if (!m) return undefined;
  const group = m[1] ? '' : m[2]!;
  const version = m[1] ?? m[3]!;
  const matching = RESOURCES.filter((x) => x.group === group && x.version === version);
  if (matching.length === 0) return undefined;
  const resources = matching.flatMap((x) => {
    const main = { name: x.plural, singularName: x.kind.toLowerCase(), namespaced: x.namespaced, kind: x.kind, verbs: VERBS };
    const status = { name: `${x.plural}/status`, singularName: '', namespaced: x.namespaced, kind: x.kind, verbs: ['get', 'patch', 'update'] };
    return x.statusSubresource ? [main, status] : [main];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

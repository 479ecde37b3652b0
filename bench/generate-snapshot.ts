import type { EndpointSlice, Ingress, IngressClass, KubeObject, Namespace, Service } from '../src/k8s/types.js';
import { SERVICE_NAME_LABEL } from '../src/k8s/types.js';

/** An EndpointSlice with two ready endpoints for svc-i (addresses in 10/8: never contacted). */
function sliceFor(namespace: string, i: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: `svc-${i}-abcde`, labels: { [SERVICE_NAME_LABEL]: `svc-${i}` } },
    addressType: 'IPv4',
    endpoints: [1, 2].map((k) => ({ addresses: [`10.${(i >> 8) & 255}.${i & 255}.${k}`], conditions: { ready: true } })),
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ],
  };
}

/** A synthetic cluster: N Ingresses and N Services (and, for the controller, N EndpointSlices) over namespaces of 100 each. */
export function syntheticCluster(n: number, opts: { endpointSlices?: boolean } = {}): KubeObject[] {
  const ingressClass: IngressClass = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'gatehouse.dev/ingress-controller' } };
  const objects: KubeObject[] = [ingressClass];
  const namespaces = Math.ceil(n / 100);
  for (let ns = 0; ns < namespaces; ns++) {
    const namespace: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${ns}` }, status: { phase: 'Active' } };
    objects.push(namespace);
  }
  for (let i = 0; i < n; i++) {
    const namespace = `team-${Math.floor(i / 100)}`;
    const service: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace, name: `svc-${i}`, uid: `uid-svc-${i}`, resourceVersion: String(i) },
      spec: { type: 'ClusterIP', clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090 }] },
    };
    const ingress: Ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        namespace,
        name: `ing-${i}`,
        uid: `uid-ing-${i}`,
        resourceVersion: String(i),
        creationTimestamp: '2026-01-01T00:00:00Z',
        annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m', 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: `app-${i}.example.com`,
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i}`, port: { number: 80 } } } },
                { path: '/metrics', pathType: 'Exact', backend: { service: { name: `svc-${i}`, port: { name: 'metrics' } } } },
              ],
            },
          },
        ],
      },
    };
    objects.push(service, ingress);
    if (opts.endpointSlices) objects.push(sliceFor(namespace, i));
  }
  return objects;
}

/**
 * The managedFields kube-apiserver records for a `kubectl apply` of this Ingress (server-side field
 * tracking, FieldsV1): every field set, as `f:`/`k:` keys. Rules never read them, but every review
 * carries them. https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
 */
function managedFieldsFor(object: Ingress, now: string): unknown[] {
  const annotations = Object.fromEntries(Object.keys(object.metadata.annotations ?? {}).map((k) => [`f:${k}`, {}]));
  const paths = Object.fromEntries(
    (object.spec?.rules?.[0]?.http?.paths ?? []).map((p) => [
      `k:${JSON.stringify({ path: p.path, pathType: p.pathType })}`,
      { '.': {}, 'f:backend': { 'f:service': { 'f:name': {}, 'f:port': { 'f:number': {} } } }, 'f:path': {}, 'f:pathType': {} },
    ]),
  );
  return [
    {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'networking.k8s.io/v1',
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {}, ...annotations }, 'f:labels': { '.': {}, 'f:app.kubernetes.io/name': {}, 'f:app.kubernetes.io/part-of': {} } },
        'f:spec': { 'f:ingressClassName': {}, 'f:rules': {}, 'f:tls': {} },
      },
    },
    {
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'networking.k8s.io/v1',
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:rules': { [`k:${JSON.stringify({ host: object.spec?.rules?.[0]?.host ?? '' })}`]: { '.': {}, 'f:host': {}, 'f:http': { '.': {}, 'f:paths': paths } } } } },
    },
  ];
}

/**
 * AdmissionReview bodies shaped like kube-apiserver's (3–5 KB: userInfo, requestKind, options,
 * metadata with uid, timestamps, labels, the last-applied-configuration annotation and
 * managedFields): half valid new Ingresses, half with a wrong port and a hostile annotation.
 */
export function reviewBodies(n: number, count = 20): string[] {
  const bodies: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = (k * 7919) % n;
    const namespace = `team-${Math.floor(i / 100)}`;
    const valid = k % 2 === 0;
    const name = `new-${k}`;
    const now = '2026-11-30T12:00:00Z';
    const applied: Ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        namespace,
        name,
        labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': `shop-${k}` },
        annotations: valid
          ? { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }
          : { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m; load_module /tmp/x.so' },
      },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [`new-${k}.example.com`], secretName: `new-${k}-tls` }],
        rules: [
          {
            host: `new-${k}.example.com`,
            http: {
              paths: [
                {
                  path: valid ? '/app(/|$)(.*)' : '/app',
                  pathType: valid ? 'ImplementationSpecific' : 'Prefix',
                  backend: { service: { name: `svc-${i}`, port: { number: valid ? 80 : 8080 } } },
                },
              ],
            },
          },
        ],
      },
    };
    const object: Ingress = {
      ...applied,
      metadata: {
        ...applied.metadata,
        uid: `6f1c${String(k).padStart(4, '0')}-2b7e-4a0c-9d3e-8c1f0a7b${String(k).padStart(4, '0')}`,
        generation: 1,
        creationTimestamp: now,
        annotations: { ...applied.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` },
        managedFields: managedFieldsFor(applied, now),
      } as Ingress['metadata'],
      status: { loadBalancer: {} },
    } as Ingress;
    const gvk = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' };
    const gvr = { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' };
    bodies.push(
      JSON.stringify({
        kind: 'AdmissionReview',
        apiVersion: 'admission.k8s.io/v1',
        request: {
          uid: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
          kind: gvk,
          resource: gvr,
          requestKind: gvk,
          requestResource: gvr,
          name,
          namespace,
          operation: 'CREATE',
          userInfo: {
            username: 'system:serviceaccount:ci:deployer',
            uid: 'a3d1c6e2-5b4f-4e0a-9c7d-2f8e1b0a6c54',
            groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
            extra: {
              'authentication.kubernetes.io/pod-name': ['deployer-7d9f8c6b5-x2kqz'],
              'authentication.kubernetes.io/pod-uid': ['0b9e7c4a-1f2d-4e3b-8a6c-5d4e3f2a1b0c'],
              'authentication.kubernetes.io/credential-id': ['JTI=3c1f0e2d-9b8a-4c7d-6e5f-4a3b2c1d0e9f'],
            },
          },
          object,
          oldObject: null,
          dryRun: false,
          options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
        },
      }),
    );
  }
  return bodies;
}

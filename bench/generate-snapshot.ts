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

/** AdmissionReview bodies: half valid new Ingresses, half with a wrong port and a hostile annotation. */
export function reviewBodies(n: number, count = 20): string[] {
  const bodies: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = (k * 7919) % n;
    const namespace = `team-${Math.floor(i / 100)}`;
    const valid = k % 2 === 0;
    const object: Ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        namespace,
        name: `new-${k}`,
        annotations: valid
          ? { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }
          : { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m; load_module /tmp/x.so' },
      },
      spec: {
        ingressClassName: 'nginx',
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
    bodies.push(
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
          kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
          resource: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
          namespace,
          name: `new-${k}`,
          operation: 'CREATE',
          object,
        },
      }),
    );
  }
  return bodies;
}

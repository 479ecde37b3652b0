// The benchmark's baseline: the same fastify HTTPS (HTTP/2 + HTTP/1.1) stack answering a constant
// AdmissionReview. The gap between it and Gatehouse is what deciding costs.
// The constant answer is a realistic denial (same size as Gatehouse's), computed once: with a
// 100-byte answer the load generator, not the server, would set the pace of the comparison.
import fastify from 'fastify';
import { fromFindings } from '../src/admission/decision.js';
import { encodeReview } from '../src/admission/encode.js';
import { selfSignedKeyPair } from '../src/tls/self-signed.js';

const port = Number(process.argv[2]);
const pair = selfSignedKeyPair(['localhost', '127.0.0.1']);
const app = fastify({ http2: true, https: { allowHTTP1: true, key: pair.key, cert: pair.cert }, bodyLimit: 7 * 1024 * 1024, logger: false });
const answer = encodeReview(
  'admission.k8s.io/v1',
  '',
  fromFindings([
    { rule: 'backend-port', severity: 'deny', path: 'spec.rules[0].http.paths[0].backend.service.port.number', message: 'service "svc-1" in namespace "team-0" has no port 8080 (ports: 80/http, 9090/metrics)' },
    { rule: 'annotations', severity: 'deny', path: 'metadata.annotations[nginx.ingress.kubernetes.io/proxy-body-size]', message: 'invalid value "8m; load_module /tmp/x.so": must not contain ";"' },
  ]),
);
app.post('/validate', async (req) => {
  const uid = (req.body as { request?: { uid?: string } }).request?.uid ?? '';
  return { ...answer, response: { ...answer.response, uid } };
});
await app.listen({ host: '127.0.0.1', port });
process.send?.('ready');

// The benchmark's baseline: the same fastify HTTPS (HTTP/2 + HTTP/1.1) stack answering a constant
// AdmissionReview. The gap between it and Gatehouse is what deciding costs.
import fastify from 'fastify';
import { selfSignedKeyPair } from '../src/tls/self-signed.js';

const port = Number(process.argv[2]);
const pair = selfSignedKeyPair(['localhost', '127.0.0.1']);
const app = fastify({ http2: true, https: { allowHTTP1: true, key: pair.key, cert: pair.cert }, bodyLimit: 7 * 1024 * 1024, logger: false });
const answer = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '', allowed: true } };
app.post('/validate', async (req) => {
  const uid = (req.body as { request?: { uid?: string } }).request?.uid ?? '';
  return { ...answer, response: { ...answer.response, uid } };
});
await app.listen({ host: '127.0.0.1', port });
process.send?.('ready');

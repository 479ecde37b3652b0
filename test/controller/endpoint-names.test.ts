// An EndpointSlice address that is a name, not an IP (the API server refuses it, a snapshot file
// does not): nginx would resolve it while loading the configuration, and an unresolvable one made
// `nginx -t` refuse everyone's configuration.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { NginxHarness, startBackend, type Backend } from './harness.js';

let nginx: NginxHarness;
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend('good', '127.0.0.2');
  nginx = await NginxHarness.create();
});
afterAll(async () => {
  await nginx?.close();
  await backend?.close();
});

test('a name among the addresses is left out; the configuration loads and the IPs serve', async () => {
  const cluster = shopCluster(
    service('shop', 'named'),
    endpointSlice('shop', 'named', ['no-such-backend.invalid'], 80),
    endpointSlice('shop', 'web', [backend.ip], backend.port),
    ingress({ name: 'web', host: 'web.example.com' }),
    ingress({ name: 'named', host: 'named.example.com', paths: [{ service: 'named' }] }),
  );
  expect((await nginx.apply(cluster)).status).toBe('applied');
  expect((await nginx.get('web.example.com', '/')).echo?.backend).toBe('good');
  expect((await nginx.get('named.example.com', '/')).status).toBe(503);
});

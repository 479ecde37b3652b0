// Backend TLS (proxy-ssl-*) against a real nginx and loopback HTTPS backends: verification with
// the Secret's CA and proxy-ssl-name, SNI, and the client certificate nginx presents. Each runs
// with endpoints in nginx.conf and through the Lua endpoint channel (the same behaviour).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingress, opaqueSecret, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';
import { createTestCa } from '../fixtures/pki.js';
import { NginxHarness } from './harness.js';

const P = 'nginx.ingress.kubernetes.io/';
const HOST = 'backend-tls.com';
const BACKEND_NAME = 'backend.shop.svc';
let nginx: NginxHarness;
const servers: https.Server[] = [];

const backendCa = createTestCa('Backend CA');
const otherCa = createTestCa('Other CA');
const nginxClientCa = createTestCa('nginx client CA');
const nginxClient = nginxClientCa.issue({ cn: 'gatehouse-nginx', usage: 'client' });

/** What the HTTPS backend saw of the TLS connection. */
interface TlsEcho {
  sni: string | false;
  clientCN?: string;
}

/** An HTTPS server on `ip`, with a certificate for BACKEND_NAME; `requireClient`: only clients of nginxClientCa. */
async function startTlsBackend(ip: string, requireClient: boolean): Promise<number> {
  const leaf = backendCa.issue({ cn: BACKEND_NAME });
  const server = https.createServer(
    { cert: leaf.cert, key: leaf.key, requestCert: requireClient, rejectUnauthorized: requireClient, ...(requireClient ? { ca: nginxClientCa.cert } : {}) },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const echo: TlsEcho = { sni: (socket as TLSSocket & { servername: string | false }).servername, ...(requireClient ? { clientCN: String(socket.getPeerCertificate().subject?.CN) } : {}) };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(echo));
    },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  return (server.address() as AddressInfo).port;
}

function at(name: string, path: string, svc: string, annotations: Record<string, string>) {
  const all = { 'backend-protocol': 'HTTPS', ...annotations };
  return ingress({ name, host: HOST, annotations: Object.fromEntries(Object.entries(all).map(([k, v]) => [P + k, v])), paths: [{ path, service: svc }] });
}

let open = 0;
let mutual = 0;

beforeAll(async () => {
  open = await startTlsBackend('127.0.0.22', false);
  mutual = await startTlsBackend('127.0.0.23', true);
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

describe.for([{ channel: false }, { channel: true }])('endpoint channel: $channel', ({ channel }) => {
beforeAll(async () => {
  nginx = await NginxHarness.create(undefined, {}, { channel });
  const verify = { 'proxy-ssl-verify': 'on', 'proxy-ssl-name': BACKEND_NAME };
  const cluster = shopCluster(
    service('shop', 'open'),
    endpointSlice('shop', 'open', ['127.0.0.22'], open),
    service('shop', 'mutual'),
    endpointSlice('shop', 'mutual', ['127.0.0.23'], mutual),
    opaqueSecret('shop', 'trust', { 'ca.crt': backendCa.cert }),
    opaqueSecret('shop', 'wrong', { 'ca.crt': otherCa.cert }),
    opaqueSecret('shop', 'client', { 'tls.crt': nginxClient.cert, 'tls.key': nginxClient.key, 'ca.crt': backendCa.cert }),
    at('right', '/right', 'open', { 'proxy-ssl-secret': 'trust', ...verify }),
    at('wrong-ca', '/wrong-ca', 'open', { 'proxy-ssl-secret': 'wrong', ...verify }),
    at('wrong-name', '/wrong-name', 'open', { 'proxy-ssl-secret': 'trust', 'proxy-ssl-verify': 'on', 'proxy-ssl-name': 'other.shop.svc' }),
    at('sni', '/sni', 'open', { 'proxy-ssl-name': BACKEND_NAME, 'proxy-ssl-server-name': 'on' }),
    at('nosni', '/nosni', 'open', { 'proxy-ssl-name': BACKEND_NAME }),
    at('client', '/client', 'mutual', { 'proxy-ssl-secret': 'client', ...verify }),
    at('noclient', '/noclient', 'mutual', { 'proxy-ssl-secret': 'trust', ...verify }),
    at('tls13', '/tls13', 'open', { 'proxy-ssl-protocols': 'TLSv1.3', 'proxy-ssl-ciphers': 'ECDHE-RSA-AES128-GCM-SHA256' }),
  );
  expect((await nginx.apply(cluster)).status).toBe('applied');
});

afterAll(async () => {
  await nginx?.close();
});

describe('proxy-ssl-verify with the CA of proxy-ssl-secret', () => {
  test('the right CA and name: 200', async () => {
    expect((await nginx.get(HOST, '/right')).status).toBe(200);
  });

  test('another CA: 502', async () => {
    expect((await nginx.get(HOST, '/wrong-ca')).status).toBe(502);
  });

  test('a proxy-ssl-name the certificate does not carry: 502', async () => {
    expect((await nginx.get(HOST, '/wrong-name')).status).toBe(502);
  });
});

describe('SNI', () => {
  test('proxy-ssl-server-name on sends proxy-ssl-name', async () => {
    const res = await nginx.get(HOST, '/sni');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ sni: BACKEND_NAME });
  });

  test('without proxy-ssl-server-name, no SNI (nginx default, as in ingress-nginx)', async () => {
    const res = await nginx.get(HOST, '/nosni');
    expect(JSON.parse(res.text)).toMatchObject({ sni: false });
  });
});

describe('client certificate towards the backend', () => {
  test('a backend requiring one gets the certificate of proxy-ssl-secret', async () => {
    const res = await nginx.get(HOST, '/client');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ clientCN: 'gatehouse-nginx' });
  });

  test('without one, that backend refuses the handshake: 502', async () => {
    expect((await nginx.get(HOST, '/noclient')).status).toBe(502);
  });
});

test('protocols and ciphers are accepted by nginx and the backend', async () => {
  expect((await nginx.get(HOST, '/tls13')).status).toBe(200);
});
});

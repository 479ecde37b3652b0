// Minimal HTTPS clients for tests: HTTP/1.1 via node:https and HTTP/2 via node:http2, both with
// real certificate verification against the CA the test provides.
import { connect as connectHttp2 } from 'node:http2';
import { request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export interface ClientResponse {
  readonly status: number;
  readonly body: string;
  readonly json: any;
  readonly alpn: string | false | null;
  readonly peer: PeerCertificate | undefined;
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** POST over HTTP/1.1 (a fresh connection each time: no agent reuse, so new certs are seen). */
export function post1(url: string, body: string | Buffer, tls: ClientTls, contentType = 'application/json'): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        // Offer ALPN like the API server's Go client does, so the server's choice is visible.
        ...({ ALPNProtocols: ['http/1.1'] } as object),
        ca: tls.ca,
        ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
        ...(tls.servername ? { servername: tls.servername } : {}),
        ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
        ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
        agent: false,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const peer = socket.getPeerCertificate?.();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text, json: parse(text), alpn: socket.alpnProtocol, peer });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POST over HTTP/2 (ALPN h2). */
export function post2(origin: string, path: string, body: string, tls: ClientTls): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(origin, { ca: tls.ca, ...(tls.servername ? { servername: tls.servername } : {}), ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}) });
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let status = 0;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const socket = session.socket as TLSSocket;
      resolve({ status, body: text, json: parse(text), alpn: socket.alpnProtocol, peer: socket.getPeerCertificate?.() });
      session.close();
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

import { X509Certificate } from 'node:crypto';
import { constants as http2Constants, type ServerHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { WebhookMetrics } from '../metrics.js';
import { ByteBudget, meteredBody } from './body-budget.js';
import { errored } from './decision.js';
import { encodeReview } from './encode.js';
import type { AdmissionDeps } from './handler.js';
import { BadBodyError, parseJsonBody } from './parse-body.js';
import { registerAdmissionRoutes } from './routes.js';

/**
 * The API server caps objects at 3 MiB (etcd's limit is 1.5 MiB by default) and a review carries
 * object and oldObject: 7 MiB is the most a real review can weigh.
 */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

/**
 * Request-body bytes held at once over every connection and stream (body-budget.ts): four bodies
 * of the largest size. Real Ingress reviews weigh a few KiB, so only a flood reaches it; past it a
 * request is answered 503 and the API server's failurePolicy decides (Fail: the write is refused
 * and can be retried), instead of the kubelet killing the Pod over its 256 MiB limit.
 */
export const MAX_BUFFERED_BODY_BYTES = 4 * MAX_BODY_BYTES;

/**
 * The API server gives a webhook 10 s at most (timeoutSeconds, default 10): answer or give up
 * well before, so a slow client cannot hold a worker.
 */
export const REQUEST_TIMEOUT_MS = 5_000;
export const HEADERS_TIMEOUT_MS = 3_000;

/** Concurrent HTTP/2 streams per connection (each can buffer a body of MAX_BODY_BYTES). */
export const MAX_CONCURRENT_STREAMS = 16;

/**
 * How long an idle connection is kept (HTTP/1.1 keep-alive and HTTP/2 sessions alike). The API
 * server's webhook client (Go net/http via client-go) keeps idle connections for 90 s
 * (IdleConnTimeout); a server that closes first races the client reusing the connection, and Go
 * does not retry a POST lost that way: the admission fails with `EOF`. So the client must always
 * be the one to close. https://pkg.go.dev/net/http#Transport (DefaultTransport: IdleConnTimeout 90 s)
 */
export const IDLE_TIMEOUT_MS = 120_000;

export interface ServingKeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface WebhookServerOptions {
  readonly tls: ServingKeyPair;
  /** PEM CA bundle; when set, callers must present a certificate it signed. */
  readonly clientCa?: string;
  /** CN or SAN a client certificate must carry (any of them). */
  readonly allowedClientNames?: readonly string[];
  readonly deps: AdmissionDeps;
  readonly metrics: WebhookMetrics;
  /** Request-body bytes held at once; MAX_BUFFERED_BODY_BYTES unless a test wants it small. */
  readonly maxBufferedBodyBytes?: number;
}

/** A content-length as Node passes it on: digits only (anything else is metered as undeclared). */
const DECIMAL = /^\d{1,16}$/;

/** Each server's client CA: a swapped secure context must keep verifying callers against it. */
const clientCaOf = new WeakMap<FastifyInstance, string>();

/** Names a peer certificate carries: subject CN and DNS/IP/URI SANs. */
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  if (cn) names.push(cn);
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    const m = /^(?:DNS|IP Address|URI):(.+)$/.exec(entry);
    if (m) names.push(m[1]!);
  }
  return names;
}

function authorizeClient(socket: TLSSocket, allowed: readonly string[], deps: AdmissionDeps): void {
  const raw = socket.getPeerX509Certificate();
  const names = raw ? certificateNames(raw) : [];
  if (!names.some((n) => allowed.includes(n))) {
    deps.logger.warn({ remote: socket.remoteAddress, names }, 'client certificate not in --allowed-client-names; connection closed');
    socket.destroy();
  }
}

/** Reads what is left of a request body and drops it; settles when the body ends or the request dies. */
function dropRestOfBody(raw: Readable): Promise<void> {
  return new Promise((resolve) => {
    raw.unpipe();
    raw.once('end', resolve).once('close', resolve).once('error', resolve);
    raw.resume();
  });
}

/**
 * Builds the HTTPS (HTTP/2 with HTTP/1.1 fallback via ALPN) admission app without listening;
 * tests call `inject()` or `listen()`. Garbage in becomes a 4xx AdmissionReview, never a crash.
 */
export function buildWebhookServer(opts: WebhookServerOptions): FastifyInstance {
  const app = fastify({
    http2: true,
    https: {
      allowHTTP1: true,
      key: opts.tls.key,
      cert: opts.tls.cert,
      minVersion: 'TLSv1.2',
      // Each HTTP/2 stream may buffer a body of up to MAX_BODY_BYTES: bound how many one
      // connection can hold open at once (the API server sends a handful at most).
      settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS },
      ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    },
    bodyLimit: MAX_BODY_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: IDLE_TIMEOUT_MS,
    keepAliveTimeout: IDLE_TIMEOUT_MS,
    http2SessionTimeout: IDLE_TIMEOUT_MS,
    logger: false,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }) as unknown as FastifyInstance;
  // Answers go out at once: the HTTP/2 server's HTTP/1.1 fallback does not set TCP_NODELAY as
  // Node's HTTP/1 server does (noDelay), and with Nagle's algorithm a review answered apart from
  // the read of its request (turn-batch.ts) could wait for the client's delayed ACK, ~40 ms
  // (measured at 500 req/s: p99 50–70 ms without it, 10–15 ms with it). Go's net/http sets it too.
  app.server.on('secureConnection', (socket: TLSSocket) => socket.setNoDelay(true));
  if (opts.clientCa) clientCaOf.set(app, opts.clientCa);
  const allowed = opts.allowedClientNames ?? [];
  if (opts.clientCa && allowed.length > 0) {
    app.server.on('secureConnection', (socket: TLSSocket) => authorizeClient(socket, allowed, opts.deps));
  }
  // fastify applies these to HTTP/1 servers only; the HTTP/2 server's HTTP/1.1 fallback (ALPN)
  // reads them from the server object too, and otherwise idles out at the socket timeout and
  // lets a slow body run for Node's 300 s.
  const server = app.server as unknown as { headersTimeout?: number; requestTimeout?: number; keepAliveTimeout?: number; connectionsCheckingInterval?: number };
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = IDLE_TIMEOUT_MS;
  // Node checks those two limits on a timer (30 s by default), so a slow client could hold a
  // connection ten times longer than they say.
  server.connectionsCheckingInterval = 500;
  // HTTP/2 has no request timeout at all: give every stream the same deadline, so a body that
  // never finishes cannot hold its buffer forever.
  app.server.on('stream', (stream: ServerHttp2Stream) => {
    const deadline = setTimeout(() => {
      if (!stream.closed) stream.close(http2Constants.NGHTTP2_CANCEL);
    }, REQUEST_TIMEOUT_MS);
    deadline.unref();
    stream.once('close', () => clearTimeout(deadline));
  });

  // Every body is metered against one budget, so many large bodies at once cannot exhaust memory.
  const bodies = new ByteBudget(opts.maxBufferedBodyBytes ?? MAX_BUFFERED_BODY_BYTES);
  const overBudget = () => Object.assign(new Error('request bodies over budget'), { statusCode: 503 });
  // Callback style, not async: an async hook costs a promise and a microtask per request, and
  // this one never waits for anything.
  app.addHook('preParsing', (req, reply, payload, done) => {
    // Over budget, whatever else of the body arrives is read and dropped: neither held, nor left
    // for Node's HTTP/1.1 parser to read as the next request.
    const length = req.headers['content-length'];
    const declared = typeof length === 'string' && DECIMAL.test(length) ? Number(length) : Number.NaN;
    // A body too large for any budget is fastify's 413 (below); one that cannot fit now is refused unread.
    if (declared <= MAX_BODY_BYTES) {
      // A declared length is all the body can hold: Node's HTTP/1.1 parser reads no further (the
      // rest is the next request), nghttp2 refuses HTTP/2 DATA beyond the content-length and
      // resets the connection before the body reaches us (RFC 9113 §8.1.1), and fastify refuses a body shorter than declared. So
      // the declared bytes are taken once, up front, and no stream meters the chunks.
      const release = bodies.reserve(declared);
      if (!release) {
        payload.resume();
        done(overBudget());
        return;
      }
      reply.raw.once('close', release);
      done(null, payload);
      return;
    }
    // No length declared (chunked HTTP/1.1, an HTTP/2 stream without content-length): each chunk is metered.
    const metered = meteredBody(bodies, overBudget);
    reply.raw.once('close', metered.release);
    // pipe(), not pipeline(): over budget, the request must stay open for its 503 answer;
    // a client's error still reaches the body parser.
    payload.on('error', (err) => metered.stream.destroy(err));
    metered.stream.once('error', () => payload.resume());
    done(null, payload.pipe(metered.stream));
  });

  // fastify's own parsers would take text/plain too (so such a body got a misleading 400 instead
  // of 415) and report prototype poisoning as invalid JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    // An HTTP/1.1 answer sent while the client is still uploading ends with Node closing the
    // socket over unread bytes: the kernel resets the connection and a client that writes its
    // whole body before reading (most do) never sees the answer. So the rest is read and dropped
    // first, never held; the request timeout still bounds how long that may take. HTTP/2 answers
    // and resets only the stream, which needs none of this. The 503 above is answered at once on
    // purpose (a flood must not be read) and closes the connection.
    if (err.statusCode !== 503 && req.raw.httpVersionMajor === 1 && !req.raw.complete) await dropRestOfBody(req.raw);
    if (err.statusCode === 503) {
      opts.deps.logger.warn({ heldBytes: bodies.bytes }, 'request refused: request bodies over budget');
      opts.metrics.admission.review('unknown', 'rejected');
      const message = `the webhook is holding as many request bodies as it may (${bodies.maxBytes} bytes); retry`;
      // The rest of the body is dropped, so an HTTP/1.1 connection cannot carry another request.
      if (req.raw.httpVersionMajor === 1) void reply.header('connection', 'close');
      void reply.code(503).header('retry-after', '1').send(encodeReview('admission.k8s.io/v1', '', errored(503, message)));
      return;
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message =
      status === 413
        ? `body larger than ${MAX_BODY_BYTES} bytes`
        : status === 415
          ? 'content type must be application/json'
          : err instanceof BadBodyError
            ? err.message
            : status === 400
              ? `body is not valid JSON: ${err.message}`
            : 'internal error';
    if (status >= 500) opts.deps.logger.error({ err }, 'webhook request failed');
    opts.metrics.admission.review('unknown', 'rejected');
    void reply.code(status).send(encodeReview('admission.k8s.io/v1', '', errored(status, message)));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ message: `no route ${req.method} ${req.url}; use POST /validate or /mutate` });
  });
  registerAdmissionRoutes(app, opts.deps, opts.metrics);
  return app;
}

/**
 * Swaps the serving certificate for new connections; open connections keep theirs. The client CA
 * is part of the secure context, so it is carried over: without it every caller certificate
 * would be refused after the first certificate rotation.
 */
export function setServingPair(app: FastifyInstance, pair: ServingKeyPair): void {
  // fastify types `server` as http.Server; with `https`+`http2` it is an Http2SecureServer,
  // which is a tls.Server.
  const ca = clientCaOf.get(app);
  (app.server as unknown as TlsServer).setSecureContext({ key: pair.key, cert: pair.cert, ...(ca ? { ca } : {}) });
}

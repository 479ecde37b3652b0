import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Verdict, WebhookMetrics } from '../metrics.js';
import { errored, type Decision } from './decision.js';
import { encodeReview } from './encode.js';
import { handleMutate, handleValidate, type AdmissionDeps } from './handler.js';
import { parseReview, type AdmissionRequest } from './review.js';
import { TurnBatch } from './turn-batch.js';

type Handler = (request: AdmissionRequest, deps: AdmissionDeps) => Decision;

interface AdmissionRoute {
  readonly path: string;
  readonly webhook: 'validate' | 'mutate';
  readonly handler: Handler;
}

/** The admission paths. `/networking/v1/ingresses` is ingress-nginx's path, kept as a drop-in alias. */
export const ADMISSION_ROUTES: readonly AdmissionRoute[] = [
  { path: '/validate', webhook: 'validate', handler: handleValidate },
  { path: '/networking/v1/ingresses', webhook: 'validate', handler: handleValidate },
  { path: '/mutate', webhook: 'mutate', handler: handleMutate },
];

/** A review read from the wire, waiting for the end of the event loop's turn to be decided. */
interface Received {
  readonly route: AdmissionRoute;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
  /** When the route got it: the latency metric counts the wait for the batch too. */
  readonly started: bigint;
}

function verdictOf(decision: Decision): Verdict {
  if (decision.allowed) return decision.patch?.length ? 'patched' : 'allowed';
  return (decision.code ?? 403) >= 500 ? 'errored' : 'denied';
}

/**
 * Registers the admission routes. HTTP only decodes and encodes; handlers decide, for every review
 * read in one turn of the event loop together once it is over (turn-batch.ts says why).
 */
export function registerAdmissionRoutes(app: FastifyInstance, deps: AdmissionDeps, metrics: WebhookMetrics): void {
  // The line each review writes has fixed fields, none of them a Secret's (uid, names, verdict,
  // rule ids), so it skips the root logger's redaction pass (log.ts), which walked every field of
  // every line: a third of the line's cost. https://getpino.io/#/docs/redaction
  const reviewLog = deps.logger.child({}, { redact: [] });
  const decide = ({ route, req, reply, started }: Received): void => {
    const parsed = parseReview(req.body);
    if ('rejection' in parsed) {
      const { status, message, apiVersion, uid } = parsed.rejection;
      metrics.admission.review(route.webhook, 'rejected');
      deps.logger.warn({ webhook: route.webhook, reason: message }, 'rejected request');
      void reply.code(status).send(encodeReview(apiVersion, uid, errored(status, message)));
      return;
    }
    const { request } = parsed.review;
    const decision = route.handler(request, deps);
    const verdict = verdictOf(decision);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.admission.review(route.webhook, verdict, seconds);
    if (decision.findings) metrics.admission.findings(decision.findings);
    if (decision.audited) metrics.admission.audited(decision.audited);
    reviewLog.info(
      {
        webhook: route.webhook,
        uid: request.uid,
        operation: request.operation,
        namespace: request.namespace,
        name: request.name,
        verdict,
        rules: decision.rules,
        dryRun: request.dryRun === true,
        durationMs: Math.round(seconds * 1e6) / 1e3,
      },
      'admission review',
    );
    void reply.send(encodeReview(parsed.review.apiVersion, request.uid, decision));
  };
  // A review that fails here goes to the server's error handler (an errored AdmissionReview, 500).
  const received = new TurnBatch<Received>(decide, ({ reply }, err) => void reply.send(err instanceof Error ? err : new Error(String(err))));
  for (const route of ADMISSION_ROUTES) {
    // Not async: the answer is sent by the batch, and an async handler costs a promise and
    // fastify's then() per review.
    app.post(route.path, (req: FastifyRequest, reply: FastifyReply): void => {
      received.add({ route, req, reply, started: process.hrtime.bigint() });
    });
  }
}

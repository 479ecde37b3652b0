import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookMetrics } from '../metrics.js';
import { errored, type Decision } from './decision.js';
import { encodeReview } from './encode.js';
import { handleMutate, handleValidate, type AdmissionDeps } from './handler.js';
import { parseReview, type AdmissionRequest } from './review.js';

type Handler = (request: AdmissionRequest, deps: AdmissionDeps) => Decision;

/** The admission paths. `/networking/v1/ingresses` is ingress-nginx's path, kept as a drop-in alias. */
export const ADMISSION_ROUTES: readonly { path: string; webhook: 'validate' | 'mutate'; handler: Handler }[] = [
  { path: '/validate', webhook: 'validate', handler: handleValidate },
  { path: '/networking/v1/ingresses', webhook: 'validate', handler: handleValidate },
  { path: '/mutate', webhook: 'mutate', handler: handleMutate },
];

function verdictOf(decision: Decision): string {
  if (decision.allowed) return decision.patch?.length ? 'patched' : 'allowed';
  return (decision.code ?? 403) >= 500 ? 'errored' : 'denied';
}

/** Adds the findings to the metrics, one increment per rule and severity (a review may hold 150,000). */
function countFindings(decision: Decision, metrics: WebhookMetrics): void {
  const counts = new Map<string, { rule: string; severity: string; n: number }>();
  for (const f of decision.findings ?? []) {
    const key = `${f.severity} ${f.rule}`;
    const c = counts.get(key);
    if (c) c.n += 1;
    else counts.set(key, { rule: f.rule, severity: f.severity, n: 1 });
  }
  for (const c of counts.values()) metrics.findings.inc({ rule: c.rule, severity: c.severity }, c.n);
  const audited = new Map<string, number>();
  for (const f of decision.audited ?? []) audited.set(f.rule, (audited.get(f.rule) ?? 0) + 1);
  for (const [rule, n] of audited) metrics.auditFindings.inc({ rule }, n);
}

/** Registers the admission routes. HTTP only decodes and encodes; handlers decide. */
export function registerAdmissionRoutes(app: FastifyInstance, deps: AdmissionDeps, metrics: WebhookMetrics): void {
  // The line each review writes has fixed fields, none of them a Secret's (uid, names, verdict,
  // rule ids), so it skips the root logger's redaction pass (log.ts), which walked every field of
  // every line: a third of the line's cost. https://getpino.io/#/docs/redaction
  const reviewLog = deps.logger.child({}, { redact: [] });
  for (const route of ADMISSION_ROUTES) {
    app.post(route.path, async (req: FastifyRequest, reply: FastifyReply) => {
      const started = process.hrtime.bigint();
      const parsed = parseReview(req.body);
      if ('rejection' in parsed) {
        const { status, message, apiVersion, uid } = parsed.rejection;
        metrics.requests.inc({ webhook: route.webhook, verdict: 'rejected' });
        deps.logger.warn({ webhook: route.webhook, reason: message }, 'rejected request');
        return reply.code(status).send(encodeReview(apiVersion, uid, errored(status, message)));
      }
      const { request } = parsed.review;
      const decision = route.handler(request, deps);
      const verdict = verdictOf(decision);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ webhook: route.webhook, verdict });
      metrics.duration.observe({ webhook: route.webhook }, seconds);
      countFindings(decision, metrics);
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
      return reply.send(encodeReview(parsed.review.apiVersion, request.uid, decision));
    });
  }
}

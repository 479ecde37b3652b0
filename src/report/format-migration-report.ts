import type { MigrationAnnotation, MigrationIngress, MigrationOutcome, MigrationReason, MigrationReport } from './migration-report.js';

/** The Ingress line's verdict. */
const OUTCOME_TEXT: Readonly<Record<MigrationOutcome, string>> = {
  served: 'served as-is',
  'served-ignoring': 'served, ignoring some annotations',
  refused: 'REFUSED: not served by the bundled controller',
  'not-owned': 'skipped: not a Gatehouse Ingress (see --ingress-class, --watch-ingress-without-class)',
  error: 'error: malformed, could not be judged',
};

/** The reason in a few words, before the finding's own message. */
const REASON_TEXT: Readonly<Record<MigrationReason, string>> = {
  'not-implemented': 'not implemented',
  'invalid-value': 'value refused',
  'risk-level': 'risk level',
  'snippets-disabled': 'snippets disabled',
  superseded: 'superseded',
  'no-effect': 'no effect',
  unknown: 'unknown to Gatehouse',
  'denied-by-rule': 'denied by a rule',
};

/** What an unknown key means for the operator: said plainly, since the controller drops it silently. */
const UNKNOWN_TEXT = 'Gatehouse does not know this annotation and the controller ignores it; whatever ingress-nginx did with it is not done';

/** What a not-implemented annotation means, in the human output (the JSON keeps the finding's message). */
const NOT_IMPLEMENTED_TEXT = {
  refused: 'the Ingress is refused rather than served without it',
  ignored: 'the Ingress is served without it',
} as const;

const STATUS_WIDTH = 8;

function annotationLines(a: MigrationAnnotation): string[] {
  const status = a.status === 'refused' ? 'REFUSED' : a.status;
  const head = `  ${status.padEnd(STATUS_WIDTH)} ${a.annotation}`;
  // The finding's message repeats the key and feature the line already names: say only the consequence.
  const message = a.status === 'unknown' ? UNKNOWN_TEXT : a.reason === 'not-implemented' ? NOT_IMPLEMENTED_TEXT[a.status === 'refused' ? 'refused' : 'ignored'] : a.message;
  const reason = a.reason === undefined ? undefined : a.feature !== undefined ? `${REASON_TEXT[a.reason]}: ${a.feature}` : REASON_TEXT[a.reason];
  const lines = [reason !== undefined ? `${head} (${reason}): ${message ?? ''}`.trimEnd() : head];
  const indent = ' '.repeat(STATUS_WIDTH + 3);
  if (a.differs !== undefined) lines.push(`${indent}differs from ingress-nginx: ${a.differs}`);
  for (const f of a.findings) lines.push(`${indent}${f.severity === 'deny' ? 'DENY' : 'warn'} [${f.rule}] ${f.message}`);
  return lines;
}

function ingressLines(i: MigrationIngress): string[] {
  const lines = [`${i.namespace}/${i.name} (${i.source}): ${OUTCOME_TEXT[i.outcome]}`];
  if (i.annotations.length === 0) lines.push('  no nginx.ingress.kubernetes.io annotations');
  for (const a of i.annotations) lines.push(...annotationLines(a));
  for (const f of i.findings) lines.push(`  ${f.severity === 'deny' ? 'DENY' : 'warn'}  [${f.rule}] ${f.path}: ${f.message}`);
  for (const f of i.audited) lines.push(`  audit [${f.rule}] ${f.path}: ${f.message}`);
  return lines;
}

/** Human output: notes, input errors, one block per Ingress (each annotation with its status), then the summary. */
export function formatMigrationHuman(report: MigrationReport): string {
  const lines: string[] = report.notes.map((n) => `note: ${n}`);
  for (const e of report.errors) lines.push(`${e.source}: error: ${e.message}`);
  for (const i of report.ingresses) lines.push(...ingressLines(i));
  const s = report.summary;
  const parts = [`${s.served} served as-is`, `${s.servedIgnoring} served with ignored annotations`, `${s.refused} refused`];
  if (s.notOwned > 0) parts.push(`${s.notOwned} not Gatehouse's`);
  if (s.errors > 0) parts.push(`${s.errors} malformed`);
  lines.push(`migration report: ${s.ingresses} Ingress(es): ${parts.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `--output json`: the MigrationReport as is (documented in docs/migration.md). */
export function formatMigrationJson(report: MigrationReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

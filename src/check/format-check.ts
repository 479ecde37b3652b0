import type { CheckResult } from './run-check.js';

/** Human output: notes, input errors, one block per Ingress (findings indented, patch as JSON), files without Ingress. */
export function formatCheckHuman(result: CheckResult): string {
  const lines: string[] = result.notes.map((n) => `note: ${n}`);
  for (const e of result.errors) lines.push(`${e.source}: error: ${e.message}`);
  for (const r of result.reports) {
    const verdict = r.error === 400 ? 'malformed' : r.error !== undefined ? 'error' : !r.owned ? 'skipped (not a Gatehouse Ingress)' : r.allowed ? 'ok' : 'denied';
    lines.push(`${r.namespace}/${r.name} (${r.source}): ${verdict}`);
    for (const f of r.findings) lines.push(`  ${f.severity === 'deny' ? 'DENY' : 'warn'}  [${f.rule}] ${f.path}: ${f.message}`);
    for (const f of r.audited) lines.push(`  audit [${f.rule}] ${f.path}: ${f.message}`);
    if (r.patch.length > 0) lines.push(`  patch: ${JSON.stringify(r.patch)}`);
  }
  for (const f of result.withoutIngress) {
    lines.push(`${f.source}: no Ingress${f.kinds.length > 0 ? ` (holds ${f.kinds.join(', ')})` : ' (no objects)'}`);
  }
  const owned = result.reports.filter((r) => r.owned).length;
  lines.push(`${result.reports.length} Ingress(es), ${owned} checked, ${result.denied} denied`);
  if (result.reports.length === 0 && result.errors.length === 0 && result.cluster === undefined) lines.push('error: no Ingress found in FILEs, nothing was checked');
  return `${lines.join('\n')}\n`;
}

/** `--output json`: a stable shape for CI tools. */
export function formatCheckJson(result: CheckResult): string {
  const { denied, reports, errors, withoutIngress, notes, cluster } = result;
  return `${JSON.stringify({ denied, ingresses: reports, errors, withoutIngress, notes, ...(cluster !== undefined ? { cluster } : {}) }, null, 2)}\n`;
}

import type { CheckResult } from './run-check.js';

/** Human output: one block per Ingress, findings indented, patch shown as JSON. */
export function formatCheckHuman(result: CheckResult): string {
  const lines: string[] = [];
  for (const r of result.reports) {
    const verdict = !r.owned ? 'skipped (not a Gatehouse Ingress)' : r.allowed ? 'ok' : 'denied';
    lines.push(`${r.namespace}/${r.name} (${r.source}): ${verdict}`);
    for (const f of r.findings) lines.push(`  ${f.severity === 'deny' ? 'DENY' : 'warn'}  [${f.rule}] ${f.path}: ${f.message}`);
    if (r.patch.length > 0) lines.push(`  patch: ${JSON.stringify(r.patch)}`);
  }
  const owned = result.reports.filter((r) => r.owned).length;
  lines.push(`${result.reports.length} Ingress(es), ${owned} checked, ${result.denied} denied`);
  return `${lines.join('\n')}\n`;
}

/** `--output json`: a stable shape for CI tools. */
export function formatCheckJson(result: CheckResult): string {
  return `${JSON.stringify({ denied: result.denied, ingresses: result.reports }, null, 2)}\n`;
}

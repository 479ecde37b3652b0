import type { Namespace } from '../k8s/types.js';
import type { Finding } from '../rules/types.js';

// Rolling a webhook out over existing workloads goes audit → warn → enforce, rule by rule
// (Gatekeeper's enforcementAction dryrun|warn|deny, Kyverno's validationFailureAction Audit|Enforce).
// https://open-policy-agent.github.io/gatekeeper/website/docs/violations/

/** What a rule's denials become: deny (as written), warn, audit (allowed, recorded), off (the rule is silenced). */
export const RULE_ACTIONS = ['deny', 'warn', 'audit', 'off'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** `audit` turns every denial that is still a denial after the rule actions into an audit record. */
export const POLICY_MODES = ['enforce', 'audit'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** The label that, set to `"true"` on a Namespace, exempts its Ingresses by default. */
export const DEFAULT_EXEMPT_NAMESPACE_LABEL = 'gatehouse.dev/exempt';

/** How findings turn into the webhook's answer (flags, then the policy file over them). */
export interface AdmissionPolicy {
  readonly mode: PolicyMode;
  /** Per rule id; a rule not listed is `deny`. */
  readonly actions: Readonly<Record<string, RuleAction>>;
  /** Ingresses in a Namespace carrying this label with value `"true"` are admitted unchecked. */
  readonly exemptNamespaceLabel: string;
}

export const DEFAULT_POLICY: AdmissionPolicy = Object.freeze({
  mode: 'enforce',
  actions: Object.freeze({}),
  exemptNamespaceLabel: DEFAULT_EXEMPT_NAMESPACE_LABEL,
});

/** Findings after the policy: what the user sees (deny/warn) and what is only recorded (audit). */
export interface PolicedFindings {
  readonly findings: readonly Finding[];
  readonly audited: readonly Finding[];
}

/**
 * The one place a policy changes findings. A rule's action decides what its denials become
 * (deny, warn, audit) or drops all its findings (off); its warnings stay warnings. Then
 * `mode: audit` turns every remaining denial into an audit record.
 */
export function applyPolicy(findings: readonly Finding[], policy: AdmissionPolicy): PolicedFindings {
  const shown: Finding[] = [];
  const audited: Finding[] = [];
  for (const f of findings) {
    const action = Object.hasOwn(policy.actions, f.rule) ? policy.actions[f.rule]! : 'deny';
    if (action === 'off') continue;
    if (f.severity === 'warn' || action === 'deny') {
      if (f.severity === 'deny' && policy.mode === 'audit') audited.push(f);
      else shown.push(f);
    } else if (action === 'warn') shown.push({ ...f, severity: 'warn' });
    else audited.push(f);
  }
  return { findings: shown, audited };
}

/** True when the Namespace carries the exemption label set to `"true"` (an unknown Namespace is never exempt). */
export function isExemptNamespace(namespace: Namespace | undefined, policy: AdmissionPolicy): boolean {
  const labels = namespace?.metadata.labels;
  return labels !== undefined && Object.hasOwn(labels, policy.exemptNamespaceLabel) && labels[policy.exemptNamespaceLabel] === 'true';
}

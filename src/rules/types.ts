import type { ClusterSnapshot } from '../k8s/snapshot.js';
import type { HostOwnershipPolicy } from '../k8s/host-ownership.js';
import type { OwnershipOptions } from '../k8s/ownership.js';
import type { Ingress } from '../k8s/types.js';
import type { RegexRedosMode } from '../pcre/backtracking.js';
import { DEFAULT_POLICY, type AdmissionPolicy } from '../policy/action.js';

export type Severity = 'deny' | 'warn';

/** One problem a rule found. Findings are data: rules never throw for bad input. */
export interface Finding {
  /** Stable rule id, e.g. `backend-port`. */
  readonly rule: string;
  readonly severity: Severity;
  /** Field path in the networking.k8s.io/v1 Ingress, e.g. `spec.rules[0].http.paths[1].path`. */
  readonly path: string;
  readonly message: string;
}

/** Risk levels of annotations, lowest first. */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Settings that change what rules decide (from flags; frozen). */
export interface RuleOptions {
  readonly ownership: OwnershipOptions;
  /** Annotations whose risk is above this level are denied (`--annotations-risk-level`). */
  readonly annotationsRiskLevel: RiskLevel;
  /** `--allow-snippet-annotations`. */
  readonly allowSnippetAnnotations: boolean;
  /** `--host-ownership`: may other namespaces add paths to a host (see k8s/host-ownership.ts). */
  readonly hostOwnership: HostOwnershipPolicy;
  /** `--regex-redos`: deny, or only warn about, regex paths that may backtrack catastrophically. */
  readonly regexRedos: RegexRedosMode;
  /**
   * What findings become at admission (`--mode`, `--rule-action`, `--exempt-namespace-label`):
   * rules ignore it; the admission pipeline applies it after them (policy/action.ts).
   */
  readonly policy: AdmissionPolicy;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = Object.freeze({
  ownership: Object.freeze({
    ingressClasses: Object.freeze(['nginx']),
    controllerValue: 'gatehouse.dev/ingress-controller',
    watchWithoutClass: false,
  }),
  annotationsRiskLevel: 'high',
  allowSnippetAnnotations: false,
  hostOwnership: 'strict',
  regexRedos: 'deny',
  policy: DEFAULT_POLICY,
});

/** Everything a rule may look at besides the Ingress itself. */
export interface RuleContext {
  readonly cluster: ClusterSnapshot;
  readonly options: RuleOptions;
  readonly operation: 'CREATE' | 'UPDATE';
  /** The stored object on UPDATE. */
  readonly oldIngress?: Ingress;
  /** Clock for certificate expiry checks (tests pin it). */
  readonly now: Date;
}

/** A rule: a pure function from (Ingress, context) to findings. */
export interface Rule {
  readonly id: string;
  /** One line for `--help`/README. */
  readonly doc: string;
  check(ingress: Ingress, ctx: RuleContext): Finding[];
}

import { HOST_OWNERSHIP_POLICIES, type HostOwnershipPolicy } from '../k8s/host-ownership.js';
import type { OwnershipOptions } from '../k8s/ownership.js';
import { REGEX_REDOS_MODES, type RegexRedosMode } from '../pcre/backtracking.js';
import { DEFAULT_EXEMPT_NAMESPACE_LABEL, POLICY_MODES, RULE_ACTIONS, type AdmissionPolicy, type PolicyMode, type RuleAction } from '../policy/action.js';
import { isLabelKey } from '../policy/policy-file.js';
import { GatehouseError } from '../errors.js';
import { DEFAULT_TRIM_INTERVAL_MS } from '../native-heap.js';
import { RULES } from '../rules/index.js';
import { RISK_LEVELS, type RiskLevel, type RuleOptions } from '../rules/types.js';
import type { FlagSpec } from './flags.js';

/** Where the cluster snapshot comes from: files, or the API server. */
export const SNAPSHOT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'snapshot',
    type: 'repeated',
    arg: 'PATH',
    help: 'YAML/JSON file or directory of cluster objects (repeatable); no API server is contacted',
  },
  { name: 'kubeconfig', type: 'string', arg: 'PATH', help: 'kubeconfig for the live API (default: in-cluster config)' },
];

/** Which Ingresses are Gatehouse's, and how strict the rules are. */
export const RULE_FLAGS: readonly FlagSpec[] = [
  { name: 'ingress-class', type: 'repeated', arg: 'NAME', default: ['nginx'], help: 'IngressClass name Gatehouse serves (repeatable)' },
  {
    name: 'controller-value',
    type: 'string',
    default: 'gatehouse.dev/ingress-controller',
    help: 'IngressClass spec.controller that Gatehouse claims',
  },
  { name: 'watch-ingress-without-class', type: 'bool', default: false, help: 'also own Ingresses that name no class' },
  {
    name: 'annotations-risk-level',
    type: 'enum',
    values: RISK_LEVELS,
    default: 'high',
    help: 'deny annotations whose risk is above this level',
  },
  {
    name: 'allow-snippet-annotations',
    type: 'bool',
    default: false,
    help: 'accept *-snippet annotations (also needs --annotations-risk-level critical)',
  },
  {
    name: 'host-ownership',
    type: 'enum',
    values: HOST_OWNERSHIP_POLICIES,
    default: 'strict',
    help: 'strict: a host belongs to the namespace of its oldest Ingress; shared: any namespace may add paths',
  },
  {
    name: 'regex-redos',
    type: 'enum',
    values: REGEX_REDOS_MODES,
    default: 'deny',
    help: 'regex paths that may backtrack catastrophically: deny (the controller leaves them out too) or warn',
  },
  {
    name: 'mode',
    type: 'enum',
    values: POLICY_MODES,
    default: 'enforce',
    help: 'audit: admit what would be denied and record it (auditAnnotations, gatehouse_audit_findings_total)',
  },
  {
    name: 'rule-action',
    type: 'repeated',
    arg: 'RULE=ACTION',
    help: `what a rule's denials become: ${RULE_ACTIONS.join(', ')} (repeatable; default deny)`,
  },
  {
    name: 'exempt-namespace-label',
    type: 'string',
    arg: 'KEY',
    default: DEFAULT_EXEMPT_NAMESPACE_LABEL,
    help: 'Ingresses in Namespaces with this label set to "true" are admitted unchecked',
  },
];

/** The rule ids a policy may name. */
export const POLICY_RULE_IDS: readonly string[] = RULES.map((r) => r.id);

/** `RULE=ACTION` flags as a map; a bad entry is a usage error naming it. */
function ruleActionsFrom(entries: readonly string[]): Readonly<Record<string, RuleAction>> {
  const actions: Record<string, RuleAction> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const [id, action] = eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    if (!POLICY_RULE_IDS.includes(id)) throw new GatehouseError('USAGE', `--rule-action ${entry}: unknown rule "${id}" (known: ${POLICY_RULE_IDS.join(', ')})`);
    if (!RULE_ACTIONS.includes(action as RuleAction)) throw new GatehouseError('USAGE', `--rule-action ${entry}: the action must be one of ${RULE_ACTIONS.join(', ')}`);
    actions[id] = action as RuleAction;
  }
  return Object.freeze(actions);
}

/** The admission policy from parsed RULE_FLAGS values (a policy file may override it later). */
function policyFrom(values: Readonly<Record<string, unknown>>): AdmissionPolicy {
  const label = (values['exempt-namespace-label'] as string | undefined) ?? DEFAULT_EXEMPT_NAMESPACE_LABEL;
  if (!isLabelKey(label)) throw new GatehouseError('USAGE', `--exempt-namespace-label ${label}: not a label key`);
  return Object.freeze({
    mode: (values['mode'] as PolicyMode | undefined) ?? 'enforce',
    actions: ruleActionsFrom((values['rule-action'] as string[] | undefined) ?? []),
    exemptNamespaceLabel: label,
  });
}

/** The long-running modes' process (webhook, controller). */
export const PROCESS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'native-heap-trim-interval',
    type: 'duration',
    default: DEFAULT_TRIM_INTERVAL_MS,
    help: 'hand memory freed by malloc back to the system this often (glibc malloc_trim); 0s: never',
  },
];

export const LOG_FLAGS: readonly FlagSpec[] = [
  {
    name: 'log-level',
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    help: 'log level',
  },
];

/** RuleOptions from parsed RULE_FLAGS values. */
export function ruleOptionsFrom(values: Readonly<Record<string, unknown>>): RuleOptions {
  const ownership: OwnershipOptions = Object.freeze({
    ingressClasses: Object.freeze([...(values['ingress-class'] as string[])]),
    controllerValue: values['controller-value'] as string,
    watchWithoutClass: values['watch-ingress-without-class'] as boolean,
  });
  return Object.freeze({
    ownership,
    annotationsRiskLevel: values['annotations-risk-level'] as RiskLevel,
    allowSnippetAnnotations: values['allow-snippet-annotations'] as boolean,
    hostOwnership: values['host-ownership'] as HostOwnershipPolicy,
    regexRedos: values['regex-redos'] as RegexRedosMode,
    policy: policyFrom(values),
  });
}

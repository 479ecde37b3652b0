import { HOST_OWNERSHIP_POLICIES, type HostOwnershipPolicy } from '../k8s/host-ownership.js';
import type { OwnershipOptions } from '../k8s/ownership.js';
import { REGEX_REDOS_MODES, type RegexRedosMode } from '../pcre/backtracking.js';
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
  });
}

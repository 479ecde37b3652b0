import { parseDocument } from 'yaml';
import { POLICY_MODES, RULE_ACTIONS, type AdmissionPolicy, type PolicyMode, type RuleAction } from './action.js';

/** What a policy file may set; each key present overrides the flags. */
export interface PolicyOverrides {
  readonly mode?: PolicyMode;
  readonly rules?: Readonly<Record<string, RuleAction>>;
  readonly exemptNamespaceLabel?: string;
}

// A label key: optional DNS-subdomain prefix, then a name of at most 63 characters.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** True when `key` is a valid label key. */
export function isLabelKey(key: string): boolean {
  return key.length <= 317 && LABEL_KEY.test(key);
}

const KEYS = ['mode', 'rules', 'exemptNamespaceLabel'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `RULE: ACTION` entries, checked against the known rule ids (a typo must not silently enforce). */
function parseRules(value: unknown, ruleIds: readonly string[]): Record<string, RuleAction> | string {
  if (!isRecord(value)) return 'rules must be a map of rule id to action';
  const rules: Record<string, RuleAction> = {};
  for (const [id, action] of Object.entries(value)) {
    if (!ruleIds.includes(id)) return `rules: unknown rule "${id.slice(0, 64)}" (known: ${ruleIds.join(', ')})`;
    if (!RULE_ACTIONS.includes(action as RuleAction)) return `rules.${id}: action must be one of ${RULE_ACTIONS.join(', ')}`;
    rules[id] = action as RuleAction;
  }
  return rules;
}

/** Parses a policy file (YAML or JSON); an error says what is wrong, in words. */
export function parsePolicyFile(text: string, ruleIds: readonly string[]): { overrides: PolicyOverrides } | { error: string } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return { error: `not valid YAML: ${doc.errors[0]!.message}` };
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return { overrides: {} };
  if (!isRecord(value)) return { error: 'the policy must be a map with mode, rules and exemptNamespaceLabel' };
  const unknown = Object.keys(value).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) return { error: `unknown key "${unknown.slice(0, 64)}" (known: ${KEYS.join(', ')})` };
  const overrides: { mode?: PolicyMode; rules?: Record<string, RuleAction>; exemptNamespaceLabel?: string } = {};
  if (value['mode'] !== undefined) {
    if (!POLICY_MODES.includes(value['mode'] as PolicyMode)) return { error: `mode must be one of ${POLICY_MODES.join(', ')}` };
    overrides.mode = value['mode'] as PolicyMode;
  }
  if (value['rules'] !== undefined && value['rules'] !== null) {
    const rules = parseRules(value['rules'], ruleIds);
    if (typeof rules === 'string') return { error: rules };
    overrides.rules = rules;
  }
  const label = value['exemptNamespaceLabel'];
  if (label !== undefined) {
    if (typeof label !== 'string' || !isLabelKey(label)) return { error: 'exemptNamespaceLabel must be a label key, e.g. gatehouse.dev/exempt' };
    overrides.exemptNamespaceLabel = label;
  }
  return { overrides };
}

/** The flags' policy with a file's overrides on top (rule actions merged per rule). */
export function withOverrides(base: AdmissionPolicy, overrides: PolicyOverrides): AdmissionPolicy {
  return Object.freeze({
    mode: overrides.mode ?? base.mode,
    actions: Object.freeze({ ...base.actions, ...overrides.rules }),
    exemptNamespaceLabel: overrides.exemptNamespaceLabel ?? base.exemptNamespaceLabel,
  });
}

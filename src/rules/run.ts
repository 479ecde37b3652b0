import type { Ingress } from '../k8s/types.js';
import type { Finding, Rule, RuleContext } from './types.js';

/** Every finding of every rule, or the first rule that threw (a Gatehouse bug, not bad input). */
export type RuleRun = { readonly findings: Finding[] } | { readonly failedRule: string; readonly error: unknown };

/** Runs all rules and aggregates their findings, so the user sees every problem at once. */
export function runRules(rules: readonly Rule[], ingress: Ingress, ctx: RuleContext): RuleRun {
  const findings: Finding[] = [];
  for (const rule of rules) {
    try {
      // An index loop: for-of allocated an iterator per rule and review (issue 13, heap profile).
      const found = rule.check(ingress, ctx);
      for (let i = 0; i < found.length; i++) findings.push(found[i]!);
    } catch (error) {
      return { failedRule: rule.id, error };
    }
  }
  return { findings };
}

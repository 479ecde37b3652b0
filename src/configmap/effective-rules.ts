import { RISK_LEVELS, type RuleOptions } from '../rules/types.js';
import type { GlobalConfig } from './global-config.js';

/**
 * The annotation policy the controller renders with: the stricter of the flags and the ConfigMap.
 * The webhook judges by its flags; a ConfigMap that loosened the controller past them would serve
 * Ingresses the webhook denies, so the ConfigMap can only tighten.
 */
export function effectiveRuleOptions(rules: RuleOptions, g: GlobalConfig): RuleOptions {
  const flagRank = RISK_LEVELS.indexOf(rules.annotationsRiskLevel);
  const mapRank = RISK_LEVELS.indexOf(g.annotationsRiskLevel);
  return Object.freeze({
    ...rules,
    annotationsRiskLevel: RISK_LEVELS[Math.min(flagRank, mapRank)]!,
    allowSnippetAnnotations: rules.allowSnippetAnnotations && g.allowSnippetAnnotations,
  });
}

import { annotationsRule } from './annotations.js';
import { backendPortRule } from './backend-port.js';
import { backendServiceRule } from './backend-service.js';
import { deprecatedClassAnnotationRule } from './deprecated-class-annotation.js';
import { externalNameRule } from './external-name.js';
import { hostOwnershipRule } from './host-ownership.js';
import { hostPathConflictRule } from './host-path-conflict.js';
import { ingressClassRule } from './ingress-class.js';
import { namespaceRule } from './namespace.js';
import { pathRule } from './path.js';
import { rewriteRule } from './rewrite.js';
import { tlsRule } from './tls.js';
import type { Rule } from './types.js';

/**
 * Every rule, in the order findings are reported. An explicit list (no discovery): adding a rule
 * is a visible one-line change, and the README table is checked against it.
 */
export const RULES: readonly Rule[] = Object.freeze([
  namespaceRule,
  backendServiceRule,
  backendPortRule,
  externalNameRule,
  pathRule,
  rewriteRule,
  ingressClassRule,
  tlsRule,
  hostOwnershipRule,
  hostPathConflictRule,
  annotationsRule,
  deprecatedClassAnnotationRule,
]);

import { BOOLEAN } from '../../annotations/entry.js';
import type { RiskLevel } from '../../rules/types.js';
import { entry, type ConfigMapGroup } from '../entry.js';

/**
 * Which annotations the controller renders. The flags of the same name stay in force: the
 * stricter of flag and ConfigMap wins (configmap/effective-rules.ts), so a ConfigMap edit can
 * tighten what the controller serves but never loosen it past what the webhook admits.
 * https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#annotations-risk-level
 */
export const annotationPolicyGroup: ConfigMapGroup = {
  id: 'annotation-policy',
  title: 'Annotation policy (the stricter of the flag and the ConfigMap wins)',
  entries: [
    entry({
      key: 'allow-snippet-annotations',
      field: 'allowSnippetAnnotations',
      kind: 'boolean',
      schema: BOOLEAN,
      maxLength: 5,
      default: 'true',
      doc: 'false: refuse `*-snippet` annotations even when `--allow-snippet-annotations` accepts them (snippets are refused as not implemented anyway).',
      renders: 'nothing: decides which Ingresses are served',
      expects: 'true or false',
      examples: ['false', 'true'],
      refused: ['yes'],
      differs: 'default true so that the --allow-snippet-annotations flag (default false) decides; true has no effect without the flag: the stricter of the two wins',
    }),
    entry({
      key: 'annotations-risk-level',
      field: 'annotationsRiskLevel',
      kind: 'string',
      schema: { type: 'string', enum: ['Low', 'Medium', 'High', 'Critical', 'low', 'medium', 'high', 'critical'] },
      maxLength: 8,
      default: 'Critical',
      convert: ((value: string) => value.toLowerCase() as RiskLevel) as (value: never) => RiskLevel,
      doc: 'Ingresses with an annotation of a higher risk are not served.',
      renders: 'nothing: decides which Ingresses are served',
      expects: 'Low, Medium, High or Critical',
      examples: ['Critical', 'High', 'Medium', 'Low'],
      refused: ['Severe', 'HIGH', ''],
      differs: 'default Critical here, so the --annotations-risk-level flag (default high) decides unless the ConfigMap is stricter',
    }),
  ],
};

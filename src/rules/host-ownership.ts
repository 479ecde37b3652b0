import { hostClaimants, hostRefusal, SHARE_HOST_ANNOTATION } from '../k8s/host-ownership.js';
import { objectKey } from '../k8s/snapshot.js';
import { NGINX_ANNOTATION_PREFIX } from '../annotations/catalog.js';
import { parseAnnotations } from '../annotations/validate.js';
import type { Ingress } from '../k8s/types.js';
import { annotationPath, httpPath, rulePath } from './field-path.js';
import { ingressNamespace } from './ingress-namespace.js';
import { quote } from './quote.js';
import { regexEnabled } from '../annotations/features/rewrite.js';
import type { Finding, Rule, RuleContext } from './types.js';

const ID = 'host-ownership';
const SERVER_ALIAS = `${NGINX_ANNOTATION_PREFIX}server-alias`;

/**
 * A host belongs to the namespace of its oldest Gatehouse Ingress; another namespace may not add
 * paths to it (an `Exact /api` or a regex `/(?:x)?.*` there takes over the owner's traffic)
 * unless the owner lists it in `gatehouse.dev/share-host-with` or `--host-ownership shared`.
 * Within one namespace a regex path is only a warning: nginx tries regex locations before the
 * longest prefix, so it can shadow another Ingress's paths on the same host
 * (https://nginx.org/en/docs/http/ngx_http_core_module.html#location).
 * The controller applies the same decision (hostRefusal), so a host taken over before the webhook
 * was installed is not served either.
 */
export const hostOwnershipRule: Rule = {
  id: ID,
  doc: 'A host belongs to the namespace of its oldest Gatehouse Ingress; other namespaces need its consent (--host-ownership).',
  check(ingress, ctx) {
    const findings: Finding[] = [];
    const namespace = ingressNamespace(ingress);
    const self = `${namespace}/${ingress.metadata.name ?? ''}`;
    const regex = regexEnabled(ingress);
    const seen = new Set<string>();
    // hostRefusal reads the namespace from the object; a copy only when it is not written there.
    const subject = ingress.metadata.namespace === namespace ? ingress : { ...ingress, metadata: { ...ingress.metadata, namespace } };
    (ingress.spec?.rules ?? []).forEach((rule, r) => {
      const host = rule.host ?? '';
      if (host === '' || seen.has(host)) return;
      seen.add(host);
      const claimants = hostClaimants(ctx.cluster, host, ctx.options.ownership);
      const refusal = hostRefusal(subject, host, claimants, ctx.options.hostOwnership);
      if (refusal) {
        findings.push({
          rule: ID,
          severity: 'deny',
          path: `${rulePath(r)}.host`,
          message:
            `host ${quote(host)} belongs to namespace ${quote(refusal.ownerNamespace)} (Ingress ${quote(refusal.ownerIngress)} claimed it first); ` +
            `another namespace may add paths only if an Ingress there lists ${quote(namespace)} in annotation ${SHARE_HOST_ANNOTATION}`,
        });
        return;
      }
      if (!regex) return;
      const neighbours = claimants.filter((c) => objectKey(c) !== self && (c.metadata.namespace ?? '') === namespace).map(objectKey).sort();
      if (neighbours.length === 0) return;
      (rule.http?.paths ?? []).forEach((_p, i) => {
        findings.push({
          rule: ID,
          severity: 'warn',
          path: `${httpPath(r, i)}.path`,
          message: `regex path on host ${quote(host)} is tried before the prefix paths of Ingress ${neighbours.map((n) => quote(n)).join(', ')} and may take their requests`,
        });
      });
    });
    findings.push(...aliasFindings(ingress, self, ctx));
    return findings;
  },
};

/**
 * server-alias names another Ingress has as a host: the controller never serves them as aliases
 * (nginx/extra-host-names.ts), whatever the namespaces, so the alias is denied rather than dropped.
 */
function aliasFindings(ingress: Ingress, self: string, ctx: RuleContext): Finding[] {
  // Without the annotation there is nothing to parse (the annotations rule parses them all already).
  if (ingress.metadata.annotations?.[SERVER_ALIAS] === undefined) return [];
  const aliases = parseAnnotations(ingress, ctx.options).values['server-alias'];
  if (!Array.isArray(aliases)) return [];
  const own = new Set((ingress.spec?.rules ?? []).map((r) => r.host ?? ''));
  const findings: Finding[] = [];
  for (const alias of new Set(aliases.map((a) => String(a).toLowerCase()))) {
    if (own.has(alias)) continue;
    const holder = hostClaimants(ctx.cluster, alias, ctx.options.ownership).find((c) => objectKey(c) !== self);
    if (!holder) continue;
    findings.push({
      rule: ID,
      severity: 'deny',
      path: annotationPath(SERVER_ALIAS),
      message: `server-alias ${quote(alias)} is a host of Ingress ${quote(objectKey(holder))}; an alias never takes a host an Ingress has`,
    });
  }
  return findings;
}

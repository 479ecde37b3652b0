// server-alias and from-to-www-redirect: names an Ingress adds to its hosts. They are host claims
// weaker than a rule's host: a name some Gatehouse Ingress has as a host is never taken by an
// alias or a redirect (ingress-nginx skips it too: internal/ingress/controller/controller.go,
// pkg/util/ingress/ingress.go BuildRedirects), and among aliases the oldest Ingress wins.
import { wwwCounterpart } from '../annotations/features/host-names.js';
import { objectKey } from '../k8s/snapshot.js';
import type { Ingress } from '../k8s/types.js';
import type { Conflict, ModelWarning } from './build-model.js';
import type { CompiledIngress } from './compile-ingress.js';
import { escapeFor } from './escape.js';

export interface ExtraHostNames {
  /** Server host → its aliases, sorted. */
  readonly aliases: ReadonlyMap<string, readonly string[]>;
  /** www redirects, sorted by `from`. */
  readonly redirects: readonly { readonly from: string; readonly to: string }[];
  readonly conflicts: readonly Conflict[];
  readonly warnings: readonly ModelWarning[];
}

/**
 * The aliases and www redirects of `compiled` (oldest first), for the hosts each may serve.
 * `claimantsOf`: every owned Ingress's hosts, served or not (a skipped Ingress's host is not free).
 */
export function extraHostNames(
  compiled: readonly CompiledIngress[],
  servedHosts: ReadonlyMap<CompiledIngress, readonly string[]>,
  claimantsOf: ReadonlyMap<string, readonly Ingress[]>,
): ExtraHostNames {
  const aliases = new Map<string, string[]>();
  const takenBy = new Map<string, string>();
  const conflicts: Conflict[] = [];
  const warnings: ModelWarning[] = [];
  for (const c of compiled) {
    for (const host of servedHosts.get(c) ?? []) {
      for (const alias of c.settings.features['host-names']?.aliases ?? []) {
        if (alias === host) continue;
        const holder = claimantsOf.get(alias)?.[0];
        const taker = holder ? objectKey(holder) : takenBy.get(alias);
        if (taker === c.key) continue;
        if (taker !== undefined) {
          conflicts.push({ winner: taker, loser: c.key, claim: `host ${alias} (server-alias of ${host})` });
          continue;
        }
        takenBy.set(alias, c.key);
        aliases.set(host, [...(aliases.get(host) ?? []), alias].sort());
      }
    }
  }
  const redirects: { from: string; to: string }[] = [];
  for (const c of compiled) {
    if (c.settings.features['host-names']?.wwwRedirect !== true) continue;
    for (const to of servedHosts.get(c) ?? []) {
      const other = wwwCounterpart(to);
      const from = other === undefined ? undefined : escapeFor('host', other);
      if (from === undefined) continue;
      const holder = claimantsOf.get(from)?.[0];
      const taker = holder ? objectKey(holder) : takenBy.get(from);
      if (taker !== undefined) {
        if (taker !== c.key) warnings.push({ ingress: c.key, message: `from-to-www-redirect: ${from} is a host of Ingress ${taker}; no redirect to ${to}` });
        continue;
      }
      takenBy.set(from, c.key);
      redirects.push({ from, to });
    }
  }
  redirects.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return { aliases, redirects, conflicts, warnings };
}

// The ConfigMap catalog: every key the controller reads, group by group (an explicit list, as the
// annotation features are), and the keys of ingress-nginx's ConfigMap it knows but does not read.
import type { ConfigMapEntry, ConfigMapGroup } from './entry.js';
import { accessLogGroup } from './groups/access-log.js';
import { annotationPolicyGroup } from './groups/annotation-policy.js';
import { buffersGroup } from './groups/buffers.js';
import { clientIpGroup } from './groups/client-ip.js';
import { keepAliveGroup } from './groups/keep-alive.js';
import { timeoutsGroup } from './groups/timeouts.js';
import { tlsGroup } from './groups/tls.js';
import { workersGroup } from './groups/workers.js';

export const CONFIGMAP_GROUPS: readonly ConfigMapGroup[] = [timeoutsGroup, buffersGroup, keepAliveGroup, tlsGroup, workersGroup, annotationPolicyGroup, clientIpGroup, accessLogGroup];

export const CONFIGMAP_ENTRIES: readonly ConfigMapEntry[] = CONFIGMAP_GROUPS.flatMap((g) => g.entries);

/**
 * ingress-nginx keys whose absence would fail open: a global allow-list or block-list, global
 * external authentication, a rate limit, the web application firewall, custom response headers
 * (often security headers), raw nginx configuration. Gatehouse does not implement them, so a
 * ConfigMap setting one is refused whole and the last good configuration stays in force.
 */
export const REFUSED_KEY_FAMILIES: readonly { readonly pattern: RegExp; readonly feature: string }[] = [
  { pattern: /^(?:whitelist|denylist|allowlist)-source-range$/, feature: 'global client source ranges' },
  { pattern: /^block-(?:cidrs|user-agents|referers)$/, feature: 'global block lists' },
  { pattern: /^global-auth-/, feature: 'global external authentication' },
  { pattern: /^global-rate-limit|^limit-(?:conn|rate|req)/, feature: 'rate limiting' },
  { pattern: /modsecurity|owasp/, feature: 'the ModSecurity web application firewall' },
  { pattern: /-snippet$/, feature: 'raw nginx configuration (snippets)' },
  { pattern: /^add-headers$/, feature: 'custom response headers' },
];

/**
 * Keys another part of the controller owns (custom error pages with the per-Ingress annotation):
 * not read here, and not reported as unknown by this module's log line. ingress-nginx's other
 * logging keys (log-format-upstream, access-log-path, skip-access-log-urls, enable-real-ip …) are
 * not read by Gatehouse and are reported as ignored like any other.
 */
export const OTHER_FEATURE_KEYS: readonly string[] = ['custom-http-errors'];

const BY_KEY: ReadonlyMap<string, ConfigMapEntry> = new Map(CONFIGMAP_ENTRIES.map((e) => [e.key, e]));

/** The entry for a key, or undefined when the controller does not read it. */
export function configMapEntry(key: string): ConfigMapEntry | undefined {
  return BY_KEY.get(key);
}

/** The feature a key asks for when its absence would fail open, else undefined. */
export function refusedFeature(key: string): string | undefined {
  return REFUSED_KEY_FAMILIES.find((f) => f.pattern.test(key))?.feature;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The key tables of docs/configmap.md, one per group. */
export function configMapMarkdown(): string {
  const out: string[] = [];
  for (const group of CONFIGMAP_GROUPS) {
    out.push(`## ${group.title}`, '', '| key | default | accepts | renders | what it does |', '|---|---|---|---|---|');
    for (const e of group.entries) {
      const doc = e.differs ? `${e.doc} *Differs from ingress-nginx:* ${e.differs}.` : e.doc;
      const value = e.default === '' ? '(empty)' : `\`${e.default}\``;
      out.push(`| \`${e.key}\` | ${e.flag === undefined ? value : `\`--${e.flag}\` (${value})`} | ${cell(e.expects)} | ${cell(e.renders)} | ${cell(doc)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

// Keeps the docs honest: the annotation table is generated from the catalog, and the README
// names every rule and every flag. Run with UPDATE_DOCS=1 to regenerate docs/annotations.md.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { catalogMarkdown, supportCounts, unimplementedMarkdown } from '../../src/annotations/catalog.js';
import { COMMANDS } from '../../src/commands/index.js';
import { configMapMarkdown, OTHER_FEATURE_KEYS, REFUSED_KEY_FAMILIES } from '../../src/configmap/catalog.js';
import { RULES } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '../..');
const ANNOTATIONS_DOC = join(ROOT, 'docs/annotations.md');
const CONFIGMAP_DOC = join(ROOT, 'docs/configmap.md');

function summary(): string {
  const c = supportCounts();
  return `In all: ${c.renders} keys rendered, ${c.refuses} refused, ${c.ignores} ignored.`;
}

export function annotationsDoc(): string {
  return `# Annotation catalog

Generated from the feature modules in \`src/annotations/features/\` (one module per feature: its keys,
their schemas, its typed interpretation and its nginx rendering) by \`UPDATE_DOCS=1 npx vitest run test/docs\`; a test keeps it in sync.

Every \`nginx.ingress.kubernetes.io/*\` annotation Gatehouse knows, and what the bundled controller
does with it:

- **renders**: implemented; the accepted value reaches nginx.conf.
- **refused**: not implemented yet, and serving the Ingress without it would fail open (no
  authentication, rate limit, client or upstream certificate check, raw configuration, canary
  split). The webhook denies the Ingress, naming the annotation; an Ingress that reaches the
  controller anyway (a snapshot file, one admitted before the webhook ran) is not served at all,
  and is logged as skipped. Unknown keys of a refused family (\`auth-*\`, \`limit-*\`,
  \`global-rate-limit*\`, \`proxy-ssl-*\`, \`canary*\`, \`*-source-range\`, ModSecurity, \`*-snippet\`)
  are refused too.
- **ignored**: not implemented, and harmless to leave out (the same clients reach the same
  backends with the same protections): a warning, and the Ingress is served without it. Keys
  Gatehouse does not know at all are ignored with a warning too.

The first table lists the annotations whose values Gatehouse validates. Any value, whatever its
schema, is refused if it contains a control character, a newline, \`;\`, \`{\`, \`}\`, \`#\`, a
quote, a backslash or \`$\` (only \`rewrite-target\` may use \`$1\`…\`$9\`; only snippets may contain
newlines). Annotations whose risk is above \`--annotations-risk-level\` (default \`high\`) are denied;
snippets are \`critical\` and also need \`--allow-snippet-annotations\` (and are then refused as not
implemented).

${summary()}

${catalogMarkdown()}
The rest of ingress-nginx's annotations
([list](https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/)),
known by key only: refused or ignored whatever the value.

${unimplementedMarkdown()}
`;
}

export function configMapDoc(): string {
  return `# ConfigMap keys

Generated from the groups in \`src/configmap/groups/\` (each key: ingress-nginx's name, its schema, its
default, what it renders) by \`UPDATE_DOCS=1 npx vitest run test/docs\`; a test keeps it in sync.

\`gatehouse controller --configmap NAMESPACE/NAME\` watches one ConfigMap and re-renders nginx.conf
when it changes. Keys and values follow ingress-nginx's
[ConfigMap](https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/).

- A ConfigMap is **accepted whole or refused whole**. Any value outside its key's schema (or
  holding a control character, a line break, \`;\`, \`{\`, \`}\`, \`#\`, a quote, a backslash
  or \`$\`) refuses it: the controller logs every problem at once, records a Warning Event
  \`ConfigMapRefused\` on the ConfigMap, and keeps the last good configuration in force. At start-up
  a refused ConfigMap stops the controller with the same message (there is no last good one). A
  ConfigMap that does not exist means every default; deleting it goes back to the defaults.
- Annotations override the ConfigMap per location (\`proxy-read-timeout\` is the default the
  annotation of the same name overrides): ConfigMap values render in nginx's \`http\` block,
  annotations in \`location\` blocks.
- Keys whose absence would fail open are **refused**, since Gatehouse does not implement them:
${REFUSED_KEY_FAMILIES.map((f) => `  ${f.feature} (\`${f.pattern.source}\`)`).join(';\n')}.
- Keys that **override a controller flag** (client IP behind a load balancer, access log) show the
  flag in the default column: set, the key wins; absent, the flag decides. A key valid alone but
  not with the flags in force (\`use-forwarded-headers\` from the ConfigMap with
  \`--use-proxy-protocol\`) refuses the ConfigMap like a bad value.
- Keys of custom error pages are read by that feature (with its annotation), not by this
  catalog: ${OTHER_FEATURE_KEYS.map((k) => `\`${k}\``).join(', ')}.
- Every other key (the rest of ingress-nginx's ~200, or a typo) is **ignored**, logged once per
  change of the ConfigMap.

${configMapMarkdown()}`;
}

describe('documentation', () => {
  test('docs/configmap.md matches the ConfigMap catalog', async () => {
    const expected = configMapDoc();
    if (process.env['UPDATE_DOCS']) await writeFile(CONFIGMAP_DOC, expected);
    expect(await readFile(CONFIGMAP_DOC, 'utf8')).toBe(expected);
  });

  test('docs/annotations.md matches the catalog', async () => {
    const expected = annotationsDoc();
    if (process.env['UPDATE_DOCS']) await writeFile(ANNOTATIONS_DOC, expected);
    expect(await readFile(ANNOTATIONS_DOC, 'utf8')).toBe(expected);
  });

  test('the README documents every rule id with an example', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const rule of RULES) expect(readme, rule.id).toContain(`[${rule.id}] `);
  });

  test('the README documents every flag of every command', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const command of COMMANDS) {
      expect(readme, command.name).toContain(`gatehouse ${command.name}`);
      for (const flag of command.flags) expect(readme, `${command.name} --${flag.name}`).toContain(`--${flag.name}`);
    }
  });

  test('the README quick start has exactly two commands: npm start and npm test', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const quickStart = /## Quick start\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
    const commands = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toContain('npm start');
    expect(commands[1]).toContain('npm test');
  });
});

// Keeps the docs honest: the annotation table is generated from the catalog, and the README
// names every rule and every flag. Run with UPDATE_DOCS=1 to regenerate docs/annotations.md.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { catalogMarkdown } from '../../src/annotations/catalog.js';
import { COMMANDS } from '../../src/commands/index.js';
import { RULES } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '../..');
const ANNOTATIONS_DOC = join(ROOT, 'docs/annotations.md');

export function annotationsDoc(): string {
  return `# Annotation catalog

Generated from \`src/annotations/catalog.ts\` by \`UPDATE_DOCS=1 npx vitest run test/docs\`; a test keeps it in sync.

Every supported \`nginx.ingress.kubernetes.io/*\` annotation, with its risk level and the values its
schema accepts. Any value, whatever its schema, is refused if it contains a control character, a
newline, \`;\`, \`{\`, \`}\`, \`#\`, a quote, a backslash or \`$\` (only \`rewrite-target\` may use
\`$1\`…\`$9\`; only snippets may contain newlines). Unknown keys under the prefix are ignored with a
warning. Annotations whose risk is above \`--annotations-risk-level\` (default \`high\`) are denied;
snippets are \`critical\` and also need \`--allow-snippet-annotations\`.

${catalogMarkdown()}
`;
}

describe('documentation', () => {
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

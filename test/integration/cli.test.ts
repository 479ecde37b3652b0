import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { firstSentence } from '../../src/main.js';
import { runCli } from '../support/run-cli.js';

describe('gatehouse CLI', () => {
  test.for(COMMANDS.map((c) => c.name))('%s --help lists every flag and exits 0', async (name) => {
    const run = runCli([...name.split(' '), '--help']);
    expect(await run.code).toBe(0);
    const command = COMMANDS.find((c) => c.name === name)!;
    expect(run.stdout()).toContain('Usage: gatehouse');
    for (const flag of command.flags) expect(run.stdout()).toContain(`--${flag.name}`);
  });

  test('top-level --help lists the commands', async () => {
    const run = runCli(['--help']);
    expect(await run.code).toBe(0);
    for (const c of COMMANDS) expect(run.stdout()).toContain(c.name);
  });

  test.for([
    ['an unknown command', ['frobnicate'], 'unknown command "frobnicate"'],
    ['no command', [], ''],
    ['an unknown flag', ['webhook', '--self-signed', '--colour'], 'unknown flag --colour'],
    ['a bad value', ['webhook', '--self-signed', '--listen', 'nowhere'], '--listen: must be HOST:PORT'],
    ['webhook without TLS', ['webhook', '--snapshot', 'examples/snapshot'], 'either --tls-cert-file and --tls-key-file, or --self-signed'],
    ['check without files', ['check'], 'check needs at least one FILE'],
    ['a bad risk level', ['check', '--annotations-risk-level', 'extreme', 'x.yaml'], 'must be one of low, medium, high, critical'],
  ] as const)('exits 2 with a one-line reason for %s', async ([, args, reason]) => {
    const run = runCli([...args]);
    expect(await run.code).toBe(2);
    if (reason) {
      expect(run.stderr()).toContain(reason);
      expect(run.stderr().trim().split('\n')).toHaveLength(1);
    }
  });
});

// Issue 11: help and command groups as a new user meets them.
describe('gatehouse CLI help', () => {
  test('top-level --help shows each summary as whole sentences', async () => {
    const run = runCli(['--help']);
    expect(await run.code).toBe(0);
    for (const c of COMMANDS) {
      const shown = firstSentence(c.summary);
      expect(shown).toMatch(/\.$/);
      // The sentence as written in the summary, whatever line breaks it was wrapped at.
      expect(c.summary.replace(/\s*\n\s*/g, ' ').startsWith(shown)).toBe(true);
      expect(run.stdout().replace(/\s+/g, ' ')).toContain(`${c.name} ${shown}`);
    }
  });

  test.for([
    ['certgen', 2],
    ['certgen --help', 0],
  ] as const)('`gatehouse %s` lists the certgen subcommands', async ([args, code]) => {
    const run = runCli(args.split(' '));
    expect(await run.code).toBe(code);
    expect(run.stdout()).toContain('Usage: gatehouse certgen <command>');
    for (const c of COMMANDS.filter((c) => c.name.startsWith('certgen '))) expect(run.stdout()).toContain(c.name.slice('certgen '.length));
    expect(run.stderr()).toBe('');
  });

  test('an unknown certgen subcommand names the ones there are', async () => {
    const run = runCli(['certgen', 'frob']);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toBe('gatehouse: unknown command "certgen frob" (certgen commands: create, patch)\n');
  });
});

// Issue 11: file errors say which file and why in words; YAML errors end in their reason.
describe('gatehouse CLI file errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-cli-'));
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n   labels: x\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('a missing snapshot file is named, with the reason in words', async () => {
    const run = runCli(['render', '--snapshot', '/nonexistent/x.yaml']);
    expect(await run.code).toBe(2);
    expect(run.stderr()).toContain('cannot read /nonexistent/x.yaml: no such file or directory');
    expect(run.stderr().trim().split('\n')).toHaveLength(1);
  });

  test('a missing TLS certificate is named, with the reason in words', async () => {
    const run = runCli(['webhook', '--snapshot', 'examples/snapshot', '--listen', '127.0.0.1:0', '--tls-cert-file', '/nonexistent/tls.crt', '--tls-key-file', '/nonexistent/tls.key']);
    expect(await run.code).not.toBe(0);
    expect(run.stderr()).toMatch(/cannot read \/nonexistent\/tls\.(crt|key): no such file or directory/);
  });

  test('a YAML error ends with its reason, not a dangling colon', async () => {
    const run = runCli(['render', '--snapshot', join(dir, 'bad.yaml')]);
    expect(await run.code).toBe(2);
    const line = run.stderr().trim();
    expect(line).toContain(`${join(dir, 'bad.yaml')}:4: Nested mappings are not allowed in compact mappings`);
    expect(line).not.toMatch(/:$/);
    expect(line).not.toContain('at line');
  });
});

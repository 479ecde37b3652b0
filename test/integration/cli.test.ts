import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
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

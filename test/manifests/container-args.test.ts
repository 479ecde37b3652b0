// Every container in the manifests runs a command line Gatehouse's own parser accepts: a renamed
// flag cannot leave the shipped Deployment or Jobs crash-looping.
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { parseFlags } from '../../src/config/flags.js';
import { INSTALLS_LOADED } from './load.js';

const containers = INSTALLS_LOADED.flatMap((install) =>
  install.podTemplates().flatMap(({ owner, spec }) =>
    [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: { name: string; args?: string[] }) => ({
      where: `${install.file}: ${owner}/${c.name}`,
      args: c.args ?? [],
    })),
  ),
);

describe('container args', () => {
  test('there are containers to check', () => {
    expect(containers.length).toBeGreaterThan(0);
  });

  test.for(containers.map((c) => [c.where, c.args] as const))('%s runs a valid gatehouse command line', ([, args]) => {
    const command = COMMANDS.find((c) => args.join(' ').startsWith(`${c.name} `) || args.join(' ') === c.name);
    expect(command, args.join(' ')).toBeDefined();
    const rest = args.slice(command!.name.split(' ').length);
    const parsed = parseFlags(command!.flags, rest);
    expect(parsed.positionals).toEqual([]);
  });
});

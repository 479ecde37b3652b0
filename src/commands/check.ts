import { formatCheckHuman, formatCheckJson } from '../check/format-check.js';
import { pino } from 'pino';
import { checkExitCode, runCheck, runClusterCheck } from '../check/run-check.js';
import { RULE_FLAGS, ruleOptionsFrom } from '../config/common-flags.js';
import { GatehouseError } from '../errors.js';
import { RULES } from '../rules/index.js';
import type { Command } from './command.js';

export const checkCommand: Command = {
  name: 'check',
  usage: 'gatehouse check [--snapshot PATH...] [--output human|json] FILE... | gatehouse check --kubeconfig PATH [--output human|json]',
  summary:
    'Runs the mutating and validating webhook offline over the Ingresses in FILEs (files or directories),\n' +
    'against the snapshot plus the other objects in FILEs. Exit 0 clean (warnings allowed), 1 any denial, 2 usage or input error\n' +
    '(unparseable, malformed or misspelt objects, templates, or no Ingress at all).\n' +
    'With --kubeconfig instead of FILEs, judges every Ingress already in that cluster (each as an update of itself).',
  flags: [
    { name: 'snapshot', type: 'repeated', arg: 'PATH', help: 'YAML/JSON file or directory of cluster objects (repeatable)' },
    { name: 'kubeconfig', type: 'string', arg: 'PATH', help: 'judge the Ingresses already in this cluster instead of FILEs' },
    { name: 'output', type: 'enum', values: ['human', 'json'], default: 'human', help: 'output format' },
    ...RULE_FLAGS,
  ],
  async run(parsed, io) {
    const kubeconfig = parsed.values['kubeconfig'] as string | undefined;
    const snapshotPaths = (parsed.values['snapshot'] as string[] | undefined) ?? [];
    if (kubeconfig !== undefined && (parsed.positionals.length > 0 || snapshotPaths.length > 0)) {
      throw new GatehouseError('USAGE', '--kubeconfig judges the cluster\'s own Ingresses: give no FILE and no --snapshot with it');
    }
    if (kubeconfig === undefined && parsed.positionals.length === 0) throw new GatehouseError('USAGE', 'check needs at least one FILE (or --kubeconfig PATH)');
    const common = {
      rules: RULES,
      options: ruleOptionsFrom(parsed.values),
      // Only a failing rule logs (a Gatehouse bug): its error goes to stderr, the verdict to stdout.
      logger: pino({ base: null, level: 'error' }, { write: (line: string) => io.stderr(line) }),
    };
    const result =
      kubeconfig !== undefined
        ? await runClusterCheck({ ...common, kubeconfig, env: io.env })
        : await runCheck({ ...common, snapshotPaths, files: parsed.positionals });
    io.stdout(parsed.values['output'] === 'json' ? formatCheckJson(result) : formatCheckHuman(result));
    return checkExitCode(result);
  },
};

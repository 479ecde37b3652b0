import { formatCheckHuman, formatCheckJson } from '../check/format-check.js';
import { pino } from 'pino';
import { checkExitCode, runCheck, runClusterCheck } from '../check/run-check.js';
import { RULE_FLAGS, ruleOptionsFrom } from '../config/common-flags.js';
import { GatehouseError } from '../errors.js';
import { formatMigrationHuman, formatMigrationJson } from '../report/format-migration-report.js';
import { migrationExitCode, migrationReport } from '../report/migration-report.js';
import { RULES } from '../rules/index.js';
import type { Command } from './command.js';

export const checkCommand: Command = {
  name: 'check',
  usage:
    'gatehouse check [--snapshot PATH...] [--migration-report] [--output human|json] FILE... | gatehouse check --kubeconfig PATH [--migration-report] [--output human|json]',
  summary:
    'Runs the mutating and validating webhook offline over the Ingresses in FILEs (files or directories),\n' +
    'against the snapshot plus the other objects in FILEs. Exit 0 clean (warnings allowed), 1 any denial, 2 usage or input error\n' +
    '(unparseable, malformed or misspelt objects, templates, or no Ingress at all).\n' +
    'With --kubeconfig instead of FILEs, judges every Ingress already in that cluster (each as an update of itself).\n' +
    'With --migration-report, prints per Ingress what the bundled controller does with each nginx.ingress.kubernetes.io\n' +
    'annotation (rendered, refused, ignored, unknown) and a summary; exit 1 only when an Ingress is refused.',
  flags: [
    { name: 'snapshot', type: 'repeated', arg: 'PATH', help: 'YAML/JSON file or directory of cluster objects (repeatable)' },
    { name: 'kubeconfig', type: 'string', arg: 'PATH', help: 'judge the Ingresses already in this cluster instead of FILEs' },
    { name: 'output', type: 'enum', values: ['human', 'json'], default: 'human', help: 'output format' },
    {
      name: 'migration-report',
      type: 'bool',
      default: false,
      help: 'report what the bundled controller does with each ingress-nginx annotation (see docs/migration.md)',
    },
    ...RULE_FLAGS,
  ],
  async run(parsed, io) {
    const kubeconfig = parsed.values['kubeconfig'] as string | undefined;
    const snapshotPaths = (parsed.values['snapshot'] as string[] | undefined) ?? [];
    if (kubeconfig !== undefined && (parsed.positionals.length > 0 || snapshotPaths.length > 0)) {
      throw new GatehouseError('USAGE', '--kubeconfig judges the cluster\'s own Ingresses: give no FILE and no --snapshot with it');
    }
    if (kubeconfig === undefined && parsed.positionals.length === 0) throw new GatehouseError('USAGE', 'check needs at least one FILE (or --kubeconfig PATH)');
    const options = ruleOptionsFrom(parsed.values);
    const common = {
      rules: RULES,
      options,
      // Only a failing rule logs (a Gatehouse bug): its error goes to stderr, the verdict to stdout.
      logger: pino({ base: null, level: 'error' }, { write: (line: string) => io.stderr(line) }),
    };
    const result =
      kubeconfig !== undefined
        ? await runClusterCheck({ ...common, kubeconfig, env: io.env })
        : await runCheck({ ...common, snapshotPaths, files: parsed.positionals });
    const json = parsed.values['output'] === 'json';
    if (parsed.values['migration-report'] === true) {
      const report = migrationReport(result, options);
      io.stdout(json ? formatMigrationJson(report) : formatMigrationHuman(report));
      return migrationExitCode(result, report);
    }
    io.stdout(json ? formatCheckJson(result) : formatCheckHuman(result));
    return checkExitCode(result);
  },
};

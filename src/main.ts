import { formatHelp, parseFlags } from './config/flags.js';
import { GatehouseError } from './errors.js';
import { COMMANDS } from './commands/index.js';
import type { CommandIO } from './commands/command.js';

const TOP_HELP = `Usage: gatehouse <command> [flags]

Kubernetes Ingress admission webhook and controller.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(16)}${c.summary.split('\n')[0]}`).join('\n')}

Run 'gatehouse <command> --help' for a command's flags.
`;

/** Runs one command line; returns the exit code. Exported for tests (no process.exit here). */
export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(TOP_HELP);
    return first === undefined ? 2 : 0;
  }
  // Two-word commands (`certgen create`) first, then one-word ones.
  const two = second !== undefined ? COMMANDS.find((c) => c.name === `${first} ${second}`) : undefined;
  const command = two ?? COMMANDS.find((c) => c.name === first);
  const args = two ? rest : argv.slice(1);
  if (!command) {
    io.stderr(`gatehouse: unknown command "${[first, second].filter(Boolean).join(' ')}" (see gatehouse --help)\n`);
    return 2;
  }
  try {
    const parsed = parseFlags(command.flags, args);
    if (parsed.help) {
      io.stdout(formatHelp(command.usage, command.summary, command.flags));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (err) {
    if (err instanceof GatehouseError) {
      io.stderr(`gatehouse ${command.name}: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`gatehouse ${command.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

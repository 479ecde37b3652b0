import { formatHelp, parseFlags } from './config/flags.js';
import { GatehouseError } from './errors.js';
import { COMMANDS } from './commands/index.js';
import type { Command, CommandIO } from './commands/command.js';

const NAME_WIDTH = 18;
const HELP_WIDTH = 100;

/** A summary's first sentence, whole: summaries are wrapped for `--help`, so a line may end mid-sentence. */
export function firstSentence(summary: string): string {
  const text = summary.replace(/\s*\n\s*/g, ' ').trim();
  return /^(.+?\.)(?=\s+[A-Z(]|$)/s.exec(text)?.[1] ?? text;
}

/** Word-wraps `text` to HELP_WIDTH columns, continuation lines indented under the first. */
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function commandList(commands: readonly Command[], prefix = ''): string {
  return commands.map((c) => `  ${c.name.slice(prefix.length).padEnd(NAME_WIDTH - 2)}${wrap(firstSentence(c.summary), NAME_WIDTH)}`).join('\n');
}

const TOP_HELP = `Usage: gatehouse <command> [flags]

Kubernetes Ingress admission webhook and controller.

Commands:
${commandList(COMMANDS)}

Run 'gatehouse <command> --help' for a command's flags.
`;

/** Help for a command group such as `certgen`: its subcommands. */
function groupHelp(group: string, members: readonly Command[]): string {
  return `Usage: gatehouse ${group} <command> [flags]

Commands:
${commandList(members, `${group} `)}

Run 'gatehouse ${group} <command> --help' for a command's flags.
`;
}

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
    const members = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (members.length > 0 && (second === undefined || second === '--help' || second === '-h')) {
      io.stdout(groupHelp(first, members));
      return second === undefined ? 2 : 0;
    }
    const hint = members.length > 0 ? `${first} commands: ${members.map((c) => c.name.slice(first.length + 1)).join(', ')}` : 'see gatehouse --help';
    io.stderr(`gatehouse: unknown command "${[first, second].filter(Boolean).join(' ')}" (${hint})\n`);
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

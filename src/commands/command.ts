import type { DestinationStream } from 'pino';
import type { FlagSpec, ParsedFlags } from '../config/flags.js';

/** Where a command writes; tests pass buffers. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly stopSignal: Promise<string>;
  /** The process environment (only config modules read it). */
  readonly env: NodeJS.ProcessEnv;
  /** Where JSON log lines go; stdout (fd 1) unless a test captures them. */
  readonly logDestination?: DestinationStream;
}

/** One `gatehouse <command>`. `run` returns the exit code; only cli.ts calls process.exit. */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  run(parsed: ParsedFlags, io: CommandIO): Promise<number>;
}

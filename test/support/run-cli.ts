import { main } from '../../src/main.js';

export interface CliRun {
  readonly code: Promise<number>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends the stop signal (as SIGTERM would) and waits for the exit code. */
  stop(): Promise<number>;
}

/** Runs `gatehouse ARGS` in process, capturing output; long-running commands wait for stop(). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  let out = '';
  let err = '';
  let signal!: (s: string) => void;
  const stopSignal = new Promise<string>((resolve) => (signal = resolve));
  // A process always has a PATH (the controller looks nginx up on it); the rest is what the test says.
  const code = main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), stopSignal, env: { PATH: process.env['PATH'] ?? '', ...env } });
  return {
    code,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      signal('SIGTERM');
      return code;
    },
  };
}

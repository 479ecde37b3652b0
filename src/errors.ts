/**
 * The one catalog of errors Gatehouse throws at its edges (files, flags, network). Rules and
 * reviews never throw for bad input: their problems are findings and responses.
 * Each code maps to a process exit code for the CLI.
 */
export const ERRORS = {
  USAGE: { exitCode: 2, summary: 'bad command line' },
  SNAPSHOT_READ: { exitCode: 2, summary: 'cannot read a snapshot or manifest file' },
  SNAPSHOT_PARSE: { exitCode: 2, summary: 'a snapshot or manifest file is not valid YAML/JSON' },
  TLS_CONFIG: { exitCode: 1, summary: 'the TLS certificate or key cannot be used' },
  KUBE_CONFIG: { exitCode: 1, summary: 'no usable Kubernetes configuration' },
  CERTGEN: { exitCode: 1, summary: 'certgen failed' },
  LISTEN: { exitCode: 1, summary: 'cannot listen on the requested address' },
  CONFIGMAP: { exitCode: 2, summary: 'the --configmap ConfigMap is refused at start-up' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalog code. `message` is one line, fit for a terminal. */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatehouseError';
    this.code = code;
  }
  get exitCode(): number {
    return ERRORS[this.code].exitCode;
  }
}

/** Words for the file-system error codes users meet; the code itself stays in the message for search. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};

/** `cannot read PATH: no such file or directory (ENOENT)`: the file named, the reason in words. */
export function fileErrorMessage(verb: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const words = code !== undefined ? FILE_ERRORS[code] : undefined;
  const why = words ? `${words} (${code})` : (code ?? (err instanceof Error ? err.message : String(err)));
  return `cannot ${verb} ${path}: ${why}`;
}

import { GatehouseError } from '../errors.js';

/** How a flag's text becomes a value. */
export type FlagType = 'string' | 'int' | 'bool' | 'list' | 'repeated' | 'hostport' | 'duration' | 'enum';

/** One command-line flag, declared as data: the table is both the parser's schema and `--help`. */
export interface FlagSpec {
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  readonly default?: unknown;
  readonly required?: boolean;
  /** For `enum`. */
  readonly values?: readonly string[];
  /** For `int`. */
  readonly min?: number;
  readonly max?: number;
  /** Placeholder in help, e.g. PATH. */
  readonly arg?: string;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  y: 365 * 86_400_000,
};

/** `90s`, `15m`, `720h`, `30d`, `10y` (Go-style hours work too, as kube-webhook-certgen users write them). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d|y)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
}

/** The shortest exact spelling of a duration, e.g. 315360000000 → `10y` (for messages and help). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['y', 365 * 86_400_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (all interfaces). */
export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function usage(message: string): GatehouseError {
  return new GatehouseError('USAGE', message);
}

function convert(spec: FlagSpec, raw: string): unknown {
  const bad = (why: string) => usage(`--${spec.name}: ${why} (got ${JSON.stringify(raw)})`);
  switch (spec.type) {
    case 'string':
      if (raw === '') throw bad('must not be empty');
      return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw bad('must be a whole number');
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`must be at most ${spec.max}`);
      return n;
    }
    case 'bool':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw bad('must be true or false');
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'repeated':
      if (raw === '') throw bad('must not be empty');
      return raw;
    case 'hostport': {
      const hp = parseHostPort(raw);
      if (!hp) throw bad('must be HOST:PORT');
      return hp;
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) throw bad('must be a duration like 30s, 15m, 720h, 30d or 10y');
      return ms;
    }
    case 'enum':
      if (!spec.values?.includes(raw)) throw bad(`must be one of ${spec.values?.join(', ')}`);
      return raw;
  }
}

/** Result of parsing: values by flag name (defaults applied, frozen), positional args, help wanted. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, unknown>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/**
 * Parses `--name value`, `--name=value`, bare `--bool`, `--bool true|false`, and `--` (end of flags). Unknown flags
 * and bad values throw a USAGE error with a one-line reason.
 */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg !== '-') throw usage(`unknown flag ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw usage(`unknown flag --${name}`);
    let raw: string;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else if (spec.type === 'bool') {
      // `--flag false` as README and Go's pflag-style docs write it; only an exact true/false is
      // taken, so `--watch-ingress-without-class FILE` keeps FILE as a positional.
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') {
        raw = next;
        i++;
      } else raw = 'true';
    }
    else {
      const next = argv[i + 1];
      if (next === undefined) throw usage(`--${name} needs a value`);
      raw = next;
      i++;
    }
    const value = convert(spec, raw);
    if (spec.type === 'repeated') values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else if (spec.type === 'list') values[name] = [...((values[name] as string[] | undefined) ?? []), ...(value as string[])];
    else values[name] = value;
  }
  if (!help) {
    for (const spec of specs) {
      if (values[spec.name] !== undefined) continue;
      if (spec.required) throw usage(`--${spec.name} is required`);
      if (spec.default !== undefined) values[spec.name] = spec.default;
    }
  }
  return Object.freeze({ values: Object.freeze(values), positionals: Object.freeze(positionals), help });
}

function defaultText(spec: FlagSpec): string {
  const d = spec.default;
  if (d === undefined || d === false) return '';
  if (Array.isArray(d)) return d.length ? ` (default ${d.join(',')})` : '';
  if (typeof d === 'object' && d && 'port' in d) return ` (default ${(d as HostPort).host}:${(d as HostPort).port})`;
  if (spec.type === 'duration' && typeof d === 'number') return ` (default ${formatDuration(d)})`;
  return ` (default ${String(d)})`;
}

/** `--help` text for a command from its flag table. */
export function formatHelp(usageLine: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const arg = s.type === 'bool' ? '' : ` ${s.arg ?? (s.type === 'enum' ? s.values!.join('|') : s.type.toUpperCase())}`;
    return [`  --${s.name}${arg}`, `${s.help}${s.required ? ' (required)' : ''}${defaultText(s)}`] as const;
  });
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length), 0) + 2);
  const lines = rows.map(([l, r]) => (l.length < width ? l.padEnd(width) + r : `${l}\n${' '.repeat(width)}${r}`));
  return `Usage: ${usageLine}\n\n${summary}\n\nFlags:\n${lines.join('\n')}\n  --help${' '.repeat(Math.max(1, width - 8))}Show this help\n`;
}

import { describe, expect, test } from 'vitest';
import { formatHelp, parseDuration, parseFlags, parseHostPort, type FlagSpec } from '../../src/config/flags.js';
import { GatehouseError } from '../../src/errors.js';

const SPECS: FlagSpec[] = [
  { name: 'listen', type: 'hostport', default: { host: '0.0.0.0', port: 8443 }, help: 'address' },
  { name: 'snapshot', type: 'repeated', help: 'files' },
  { name: 'verbose', type: 'bool', default: false, help: 'more' },
  { name: 'size', type: 'int', min: 1, max: 10, help: 'n' },
  { name: 'host', type: 'list', help: 'hosts' },
  { name: 'level', type: 'enum', values: ['low', 'high'], default: 'high', help: 'lvl' },
  { name: 'validity', type: 'duration', help: 'how long' },
];

function usageError(argv: string[]): string {
  try {
    parseFlags(SPECS, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(GatehouseError);
    expect((err as GatehouseError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('parseFlags', () => {
  test('applies defaults when flags are absent', () => {
    const { values } = parseFlags(SPECS, []);
    expect(values).toMatchObject({ listen: { host: '0.0.0.0', port: 8443 }, verbose: false, level: 'high' });
  });

  test('accepts --name value and --name=value forms', () => {
    const { values } = parseFlags(SPECS, ['--listen', '127.0.0.1:9443', '--size=3']);
    expect(values['listen']).toEqual({ host: '127.0.0.1', port: 9443 });
    expect(values['size']).toBe(3);
  });

  test('collects repeated flags and comma lists', () => {
    const { values } = parseFlags(SPECS, ['--snapshot', 'a', '--snapshot=b', '--host', 'x,y', '--host', 'z']);
    expect(values['snapshot']).toEqual(['a', 'b']);
    expect(values['host']).toEqual(['x', 'y', 'z']);
  });

  test('keeps positionals and everything after --', () => {
    const { positionals } = parseFlags(SPECS, ['one.yaml', '--verbose', '--', '--not-a-flag']);
    expect(positionals).toEqual(['one.yaml', '--not-a-flag']);
  });

  test('reports --help without demanding required flags', () => {
    expect(parseFlags([{ name: 'x', type: 'string', required: true, help: '' }], ['--help']).help).toBe(true);
  });

  test.for([
    ['unknown flag', ['--nope'], 'unknown flag --nope'],
    ['unknown short flag', ['-x'], 'unknown flag -x'],
    ['missing value', ['--size'], '--size needs a value'],
    ['not a number', ['--size', 'ten'], '--size: must be a whole number'],
    ['out of range', ['--size', '11'], '--size: must be at most 10'],
    ['bad enum', ['--level', 'mid'], '--level: must be one of low, high'],
    ['bad host:port', ['--listen', 'localhost'], '--listen: must be HOST:PORT'],
    ['bad bool', ['--verbose=yes'], '--verbose: must be true or false'],
    ['bad duration', ['--validity', '1 year'], '--validity: must be a duration'],
  ] as const)('rejects %s with a one-line reason', ([, argv, message]) => {
    const text = usageError([...argv]);
    expect(text).toContain(message);
    expect(text).not.toContain('\n');
  });
});

describe('value syntaxes', () => {
  test.for([
    ['127.0.0.1:8443', { host: '127.0.0.1', port: 8443 }],
    [':8443', { host: '0.0.0.0', port: 8443 }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['host:70000', undefined],
  ] as const)('parseHostPort(%s)', ([text, expected]) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  test.for([
    ['30s', 30_000],
    ['720h', 2_592_000_000],
    ['30d', 2_592_000_000],
    ['10y', 315_360_000_000],
    ['10', undefined],
  ] as const)('parseDuration(%s)', ([text, expected]) => {
    expect(parseDuration(text)).toBe(expected);
  });
});

test('help lists every flag with its default', () => {
  const text = formatHelp('gatehouse x', 'Does x.', SPECS);
  for (const s of SPECS) expect(text).toContain(`--${s.name}`);
  expect(text).toContain('(default 0.0.0.0:8443)');
  expect(text).toContain('--help');
});

// Issue 11: README writes `--patch-validating BOOL`, so the separate-word form must work too.
describe('boolean flags take a following true or false', () => {
  test.for([
    [['--verbose', 'false'], false, []],
    [['--verbose', 'true'], true, []],
    [['--verbose=false'], false, []],
    [['--verbose'], true, []],
    // Only an exact true/false is taken: anything else stays a positional.
    [['--verbose', 'one.yaml'], true, ['one.yaml']],
    [['--verbose', 'False'], true, ['False']],
    [['--verbose', 'false', 'one.yaml'], false, ['one.yaml']],
  ] as const)('%j', ([argv, verbose, positionals]) => {
    const parsed = parseFlags(SPECS, [...argv]);
    expect(parsed.values['verbose']).toBe(verbose);
    expect(parsed.positionals).toEqual(positionals);
  });
});

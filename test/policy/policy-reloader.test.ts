import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/action.js';
import { PolicyReloader } from '../../src/policy/policy-reloader.js';

const IDS = ['backend-port', 'tls'];

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: { msg: string; reason?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('PolicyReloader', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('load applies the file over the flags', async () => {
    const file = join(dir, 'load.yaml');
    await writeFile(file, 'rules: {tls: warn}\n');
    const reloader = new PolicyReloader(file, { ...DEFAULT_POLICY, mode: 'audit' }, IDS, pino({ level: 'silent' }));
    await reloader.load();
    expect(reloader.current()).toMatchObject({ mode: 'audit', actions: { tls: 'warn' } });
  });

  test.for([
    ['missing', undefined, /--policy-file .*: the file does not exist/],
    ['invalid', 'mode: dryrun', /--policy-file .*: mode must be one of/],
  ] as const)('load refuses a %s file at startup, naming it', async ([name, text, reason]) => {
    const file = join(dir, `startup-${name}.yaml`);
    if (text !== undefined) await writeFile(file, text);
    await expect(new PolicyReloader(file, DEFAULT_POLICY, IDS, pino({ level: 'silent' })).load()).rejects.toThrow(reason);
  });

  test('a changed file is applied; unchanged bytes are not re-applied', async () => {
    const file = join(dir, 'change.yaml');
    await writeFile(file, 'mode: enforce\n');
    const reloader = new PolicyReloader(file, DEFAULT_POLICY, IDS, pino({ level: 'silent' }));
    await reloader.load();
    expect(await reloader.check()).toBe(false);
    await writeFile(file, 'mode: audit\n');
    expect(await reloader.check()).toBe(true);
    expect(reloader.current().mode).toBe('audit');
  });

  test('a bad file keeps the last good policy and logs why, once', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'rules: {backend-port: audit}\n');
    const { logger, lines } = recordingLogger();
    const reloader = new PolicyReloader(file, DEFAULT_POLICY, IDS, logger);
    await reloader.load();
    await writeFile(file, 'rules: {backend-port: maybe}\n');
    expect(await reloader.check()).toBe(false);
    expect(await reloader.check()).toBe(false);
    expect(reloader.current().actions).toEqual({ 'backend-port': 'audit' });
    const refusals = lines.filter((l) => l.msg === 'policy file refused; keeping the last good policy');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.reason).toMatch(/rules.backend-port: action must be one of/);
    await rm(file);
    expect(await reloader.check()).toBe(false);
    expect(reloader.current().actions).toEqual({ 'backend-port': 'audit' });
    expect(lines.at(-1)).toMatchObject({ reason: 'the file does not exist' });
    await writeFile(file, 'rules: {backend-port: off}\n');
    expect(await reloader.check()).toBe(true);
    expect(reloader.current().actions).toEqual({ 'backend-port': 'off' });
  });
});

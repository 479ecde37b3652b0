import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { keepNativeHeapTrimmed, loadNativeHeapTrim, startNativeHeapTrim, type NativeHeapTrim } from '../src/native-heap.js';

afterEach(() => vi.useRealTimers());

/** A logger whose lines the test reads. */
function recordingLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void out.push(line) });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('loadNativeHeapTrim', () => {
  test("binds this machine's glibc malloc_trim and calls it off the event loop", async () => {
    const trim = loadNativeHeapTrim();
    expect(typeof trim).toBe('function');
    const result = await new Promise<{ err: Error | undefined; released: boolean }>((resolve) => (trim as NativeHeapTrim)((err, released) => resolve({ err, released })));
    expect(result.err).toBeUndefined();
    expect(typeof result.released).toBe('boolean');
  });

  test('says why when the library is not there (another C library)', () => {
    const trim = loadNativeHeapTrim('libno-such-libc.so.6');
    expect(trim).toEqual({ unavailable: expect.stringContaining('libno-such-libc.so.6') });
  });

  test('returns memory freed in the middle of the heap to the system (real RSS, a child process)', () => {
    // Every other 64 KiB block freed (under glibc's 128 KiB mmap threshold, so in the heap): the free memory lies between live blocks, where glibc's own
    // trimming (top of the heap only) never reaches it.
    const script = `
      import { loadNativeHeapTrim } from ${JSON.stringify(join(import.meta.dirname, '../src/native-heap.ts'))};
      const trim = loadNativeHeapTrim();
      const koffi = (await import('koffi')).default;
      const libc = koffi.load('libc.so.6');
      const malloc = libc.func('void *malloc(size_t)');
      const free = libc.func('void free(void *)');
      const memset = libc.func('void *memset(void *, int, size_t)');
      const blocks = [];
      for (let i = 0; i < 2000; i++) { const p = malloc(65536); memset(p, 1, 65536); blocks.push(p); }
      for (let i = 0; i < blocks.length; i += 2) free(blocks[i]);
      const before = process.memoryUsage().rss;
      await new Promise((resolve) => trim((err) => { if (err) throw err; resolve(); }));
      const after = process.memoryUsage().rss;
      console.log(JSON.stringify({ before, after }));
    `;
    const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
    expect(run.stderr).toBe('');
    const { before, after } = JSON.parse(run.stdout) as { before: number; after: number };
    // 2,000 × 64 KiB allocated, half freed: 62.5 MiB free inside the heap.
    expect(before - after).toBeGreaterThan(40 * 1024 * 1024);
  });
});

describe('startNativeHeapTrim', () => {
  test('trims every interval, one trim at a time, until stopped', () => {
    vi.useFakeTimers();
    const pending: ((err: Error | undefined, released: boolean) => void)[] = [];
    const stop = startNativeHeapTrim((done) => void pending.push(done), 1000, () => {});
    vi.advanceTimersByTime(1000);
    expect(pending).toHaveLength(1);
    vi.advanceTimersByTime(3000);
    expect(pending).toHaveLength(1);
    pending[0]!(undefined, true);
    vi.advanceTimersByTime(1000);
    expect(pending).toHaveLength(2);
    pending[1]!(undefined, false);
    stop();
    vi.advanceTimersByTime(10_000);
    expect(pending).toHaveLength(2);
  });

  test('a failed trim ends trimming and is reported once', () => {
    vi.useFakeTimers();
    let calls = 0;
    const errors: Error[] = [];
    startNativeHeapTrim((done) => {
      calls += 1;
      done(new Error('boom'), false);
    }, 1000, (err) => errors.push(err));
    vi.advanceTimersByTime(5000);
    expect(calls).toBe(1);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });

  test('does not keep the process alive', () => {
    const script = `
      import { startNativeHeapTrim } from ${JSON.stringify(join(import.meta.dirname, '../src/native-heap.ts'))};
      startNativeHeapTrim((done) => done(undefined, false), 10, () => {});
    `;
    const run = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, cwd: join(import.meta.dirname, '..') });
    expect(run.status).toBe(0);
  });
});

describe('keepNativeHeapTrimmed', () => {
  test('0 turns it off: the library is not even loaded', () => {
    const load = vi.fn(loadNativeHeapTrim);
    keepNativeHeapTrimmed(0, recordingLogger().logger, load)();
    expect(load).not.toHaveBeenCalled();
  });

  test('without glibc the process runs on, saying why memory is not trimmed', () => {
    const { logger, lines } = recordingLogger();
    const stop = keepNativeHeapTrimmed(5000, logger, () => ({ unavailable: 'libc.so.6: not found' }));
    stop();
    expect(lines()).toEqual([expect.objectContaining({ level: 30, reason: 'libc.so.6: not found', msg: expect.stringContaining('not returned to the system') })]);
  });

  test('a failing trim is logged as a warning', () => {
    vi.useFakeTimers();
    const { logger, lines } = recordingLogger();
    const stop = keepNativeHeapTrimmed(1000, logger, () => (done) => done(new Error('EFAULT'), false));
    vi.advanceTimersByTime(3000);
    stop();
    expect(lines()).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('malloc_trim failed') })]);
  });
});

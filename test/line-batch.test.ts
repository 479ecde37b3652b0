import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { bufferedDestination, LineBatch } from '../src/line-batch.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'line-batch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A real sonic-boom destination on a file, as log.ts builds it, behind a batch. */
function batchOnFile(minLength: number): { batch: LineBatch; file: string } {
  const file = join(dir, 'log');
  return { batch: new LineBatch(bufferedDestination(openSync(file, 'a'), minLength), minLength), file };
}

const ready = (b: LineBatch) => new Promise<void>((resolve) => b.flush(() => resolve()));

/** What reaches the file when `lines` go through a batch of `minLength`, flushed at the end. */
async function throughBatch(minLength: number, lines: readonly string[]): Promise<string> {
  const { batch, file } = batchOnFile(minLength);
  await ready(batch);
  for (const line of lines) batch.write(line);
  await ready(batch);
  batch.flushSync();
  return readFile(file, 'utf8');
}

describe('LineBatch', () => {
  test('keeps lines under the batch size until flushed, then writes them in order', async () => {
    const { batch, file } = batchOnFile(4096);
    await ready(batch);
    batch.write('{"a":1}\n');
    batch.write('{"b":2}\n');
    expect(await readFile(file, 'utf8')).toBe('');
    batch.flushSync();
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  });

  test('hands a full batch on at once, and every line arrives once, in order', async () => {
    const { batch, file } = batchOnFile(256);
    await ready(batch);
    const lines = Array.from({ length: 500 }, (_, i) => `{"line":${i},"pad":"${'x'.repeat(i % 40)}"}\n`);
    for (const line of lines) batch.write(line);
    await ready(batch);
    expect(await readFile(file, 'utf8')).toBe(lines.join(''));
  });

  test('a line longer than a batch arrives whole, in order with the short lines around it', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `{"line":${i},"pad":"${(i % 7 === 0 ? 'é' : 'x').repeat(i % 5 === 0 ? 2000 : i)}"}\n`);
    expect(await throughBatch(256, lines)).toBe(lines.join(''));
  });

  test('serves as a pino destination: the lines are pino\'s, unchanged', async () => {
    const { batch, file } = batchOnFile(4096);
    await ready(batch);
    const logger = pino({ base: { app: 'gatehouse' } }, batch);
    logger.info({ uid: 'u-1', rules: ['tls'] }, 'admission review');
    logger.flush();
    batch.flushSync();
    const line = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, app: 'gatehouse', uid: 'u-1', rules: ['tls'], msg: 'admission review' });
  });

  test('writes text beyond ASCII as the UTF-8 it is', async () => {
    const lines = ['{"host":"bücher.example"}\n', '{"msg":"✓ 日本"}\n', '{"emoji":"🦊"}\n'];
    expect(await throughBatch(16, lines)).toBe(lines.join(''));
  });
});

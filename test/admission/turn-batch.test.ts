import { describe, expect, test } from 'vitest';
import { TurnBatch } from '../../src/admission/turn-batch.js';

const turnOver = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  test('runs what one turn added together once the turn is over, in order', async () => {
    const ran: number[][] = [];
    let current: number[] = [];
    const batch = new TurnBatch<number>(
      (n) => current.push(n),
      () => {},
    );
    batch.add(1);
    batch.add(2);
    batch.add(3);
    expect(current).toEqual([]);
    await turnOver();
    ran.push(current);
    current = [];
    batch.add(4);
    await turnOver();
    ran.push(current);
    expect(ran).toEqual([[1, 2, 3], [4]]);
  });

  test('an item that throws goes to `failed`; the others still run', async () => {
    const ran: string[] = [];
    const failed: [string, unknown][] = [];
    const batch = new TurnBatch<string>(
      (s) => {
        if (s === 'bad') throw new Error('boom');
        ran.push(s);
      },
      (s, err) => failed.push([s, err]),
    );
    for (const s of ['a', 'bad', 'b']) batch.add(s);
    await turnOver();
    expect(ran).toEqual(['a', 'b']);
    expect(failed).toHaveLength(1);
    expect(failed[0]![0]).toBe('bad');
    expect((failed[0]![1] as Error).message).toBe('boom');
  });

  test('an item added while a batch runs waits for the next one, and is not lost', async () => {
    const ran: string[] = [];
    const batch = new TurnBatch<string>(
      (s) => {
        ran.push(s);
        if (s === 'first') batch.add('added while running');
      },
      () => {},
    );
    batch.add('first');
    await turnOver();
    expect(ran).toEqual(['first']);
    await turnOver();
    expect(ran).toEqual(['first', 'added while running']);
  });
});

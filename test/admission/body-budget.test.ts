import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, test } from 'vitest';
import { ByteBudget, meteredBody } from '../../src/admission/body-budget.js';

const overBudget = () => Object.assign(new Error('over budget'), { statusCode: 503 });

describe('ByteBudget', () => {
  test('takes while the bytes fit and gives them back', () => {
    const budget = new ByteBudget(10);
    expect(budget.tryTake(6)).toBe(true);
    expect(budget.fits(4)).toBe(true);
    expect(budget.tryTake(5)).toBe(false);
    expect(budget.bytes).toBe(6);
    budget.give(6);
    expect(budget.tryTake(10)).toBe(true);
  });

  test('reserves a declared length at once, or nothing when it does not fit', () => {
    const budget = new ByteBudget(10);
    const release = budget.reserve(7);
    expect(release).toBeTypeOf('function');
    expect(budget.bytes).toBe(7);
    expect(budget.reserve(4)).toBeUndefined();
    expect(budget.bytes).toBe(7);
    release!();
    release!();
    expect(budget.bytes).toBe(0);
    expect(budget.reserve(10)).toBeTypeOf('function');
  });

  test.for([0, -1, 1.5, Number.NaN])('refuses a budget of %s', (max) => {
    expect(() => new ByteBudget(max)).toThrow(RangeError);
  });
});

describe('meteredBody', () => {
  test('passes a body that fits through unchanged and holds its bytes until released', async () => {
    const budget = new ByteBudget(100);
    const { stream, release } = meteredBody(budget, overBudget);
    expect(await text(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]).pipe(stream))).toBe('{"a":1}');
    expect(budget.bytes).toBe(7);
    release();
    release();
    expect(budget.bytes).toBe(0);
  });

  test('fails at the first chunk that does not fit, keeping what the others hold', async () => {
    const budget = new ByteBudget(10);
    const other = meteredBody(budget, overBudget);
    other.stream.write(Buffer.alloc(6));
    const { stream, release } = meteredBody(budget, overBudget);
    const failed = new Promise<Error>((resolve) => stream.on('error', resolve));
    stream.write(Buffer.alloc(3));
    stream.write(Buffer.alloc(3));
    expect(await failed).toMatchObject({ statusCode: 503 });
    expect(budget.bytes).toBe(9);
    release();
    other.release();
    expect(budget.bytes).toBe(0);
  });
});

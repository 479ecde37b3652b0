import { describe, expect, test } from 'vitest';
import { Backoff } from '../../src/k8s/backoff.js';

describe('Backoff', () => {
  test('doubles from the initial delay up to the ceiling', () => {
    const b = new Backoff({ initialMs: 200, maxMs: 1000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([200, 400, 800, 1000, 1000]);
  });

  test('starts again from the initial delay after reset', () => {
    const b = new Backoff({ initialMs: 100, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });

  test.for([
    { random: 0, expected: 80 },
    { random: 0.5, expected: 100 },
    { random: 0.999999, expected: 120 },
  ])('jitter spreads a delay by ± the fraction (random $random → $expected ms)', ({ random, expected }) => {
    expect(new Backoff({ initialMs: 100, jitter: 0.2, random: () => random }).next()).toBe(expected);
  });

  test('jitter never exceeds the ceiling', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0.99 });
    expect(b.next()).toBe(1000);
  });
});

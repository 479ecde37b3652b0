import { expect, test } from 'vitest';
import { LruCache } from '../../src/pcre/lru-cache.js';

test('returns what was stored', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  expect(cache.get('a')).toBe(1);
});

test('evicts the least recently stored entry past capacity', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
});

test('a read makes an entry recently used', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.get('a');
  cache.set('c', 3);
  expect([cache.get('a'), cache.get('b')]).toEqual([1, undefined]);
});

test('overwriting a key does not grow the cache', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('a', 2);
  expect([cache.size, cache.get('a')]).toEqual([1, 2]);
});

test.for([0, -1, 1.5])('rejects capacity %s', (capacity) => {
  expect(() => new LruCache(capacity)).toThrow(RangeError);
});

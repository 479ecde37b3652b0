/** How much an LruCache may hold. */
export interface LruLimits<K, V> {
  /** Most entries kept. */
  readonly maxEntries: number;
  /**
   * Most bytes kept, as `sizeOf` counts them. Without it, hostile keys of 100 KB each filled a
   * 10,000-entry cache with ~1 GB that was never released. An entry larger than this is not kept.
   */
  readonly maxBytes?: number;
  /** Bytes an entry holds (key and value); required with maxBytes. */
  readonly sizeOf?: (key: K, value: V) => number;
}

/**
 * A bounded map that forgets the least recently used entry first. A Map iterates in insertion
 * order, so re-inserting on every hit keeps the oldest entry at the front.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly bytes: number }>();
  /** The most recently used key: already last in `entries`, so a hit on it moves nothing. */
  private newest: K | undefined;
  private totalBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (key: K, value: V) => number;

  constructor(limits: LruLimits<K, V>) {
    const { maxEntries, maxBytes = Infinity, sizeOf } = limits;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`LRU maxEntries must be a positive integer, got ${maxEntries}`);
    if (maxBytes !== Infinity && (!Number.isInteger(maxBytes) || maxBytes < 1)) throw new RangeError(`LRU maxBytes must be a positive integer, got ${maxBytes}`);
    if (maxBytes !== Infinity && !sizeOf) throw new RangeError('LRU maxBytes needs sizeOf');
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf ?? (() => 0);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held, as `sizeOf` counts them. */
  get bytes(): number {
    return this.totalBytes;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Several rules look up the same path in one review: the repeats find it last already.
    if (key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.newest = key;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(key, value);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.newest = key;
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  private delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
    if (key === this.newest) this.newest = undefined;
  }
}

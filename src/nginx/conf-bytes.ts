// nginx.conf is written piece by piece (a server block at a time) into UTF-8 bytes, not kept as
// JS strings until the end: at 10,000 Ingresses the text is ~7 MB in ~300,000 lines, and lines
// kept alive until one final join survived every young-generation GC and were copied by each
// (a third of render time went to GC). A piece written here is garbage at once.

const CHUNK_BYTES = 1 << 20;

/** An append-only UTF-8 byte sink. */
export class ConfBytes {
  private readonly full: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private total = 0;

  append(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const worst = text.length * 3;
    if (this.used + worst > this.current.length) {
      this.full.push(this.current.subarray(0, this.used));
      this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, worst));
      this.used = 0;
    }
    const written = this.current.write(text, this.used, 'utf8');
    this.used += written;
    this.total += written;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.total;
  }

  /** Everything written, as one buffer. */
  bytes(): Buffer {
    return Buffer.concat([...this.full, this.current.subarray(0, this.used)], this.total);
  }
}

import { Transform, type TransformCallback } from 'node:stream';

/**
 * Bytes of request bodies held at once over every connection and stream. The body limit and the
 * timeouts bound one request; only this bounds their sum. Without it, 160 HTTP/2 streams each
 * sending 6 MB of a body (10 connections × 16 streams, all within the 5 s deadline) took the
 * webhook to 1.2 GB of RSS against the Deployment's 256 MiB limit.
 */
export class ByteBudget {
  private held = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`byte budget must be a positive integer, got ${maxBytes}`);
  }

  /** Bytes taken and not given back. */
  get bytes(): number {
    return this.held;
  }

  /** Whether `n` more bytes would fit now. */
  fits(n: number): boolean {
    return this.held + n <= this.maxBytes;
  }

  /** Takes `n` bytes if they fit. */
  tryTake(n: number): boolean {
    if (!this.fits(n)) return false;
    this.held += n;
    return true;
  }

  give(n: number): void {
    this.held = Math.max(0, this.held - n);
  }

  /**
   * Takes `n` bytes at once for a body whose length is declared up front, if they fit: the
   * function it returns gives them back (calling it again does nothing). One reservation per
   * request instead of a pass-through stream metering each chunk (meteredBody): the stream cost
   * more CPU per review than deciding it (docs/benchmarks.md, issue 13).
   */
  reserve(n: number): (() => void) | undefined {
    if (!this.tryTake(n)) return undefined;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.give(n);
    };
  }
}

/**
 * A pass-through for one request body that takes each chunk's bytes from `budget` and fails with
 * `overBudget()` at the first chunk that does not fit. `release()` gives back all it took; call it
 * once the request is answered or gone (calling it again does nothing).
 */
export function meteredBody(budget: ByteBudget, overBudget: () => Error): { readonly stream: Transform; readonly release: () => void } {
  let taken = 0;
  let released = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (released || !budget.tryTake(chunk.length)) {
        done(overBudget());
        return;
      }
      taken += chunk.length;
      done(null, chunk);
    },
  });
  const release = () => {
    if (released) return;
    released = true;
    budget.give(taken);
    taken = 0;
  };
  return { stream, release };
}

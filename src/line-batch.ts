import { pino } from 'pino';

/** Where batches go, as UTF-8 bytes: sonic-boom in buffer mode (below), or any stream with the same three methods. */
export interface LineSink {
  write(data: Buffer): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

/**
 * Gathers log lines and hands them to the sink `minLength` characters at a time. sonic-boom
 * measures the byte length of its whole pending buffer on every write (`Buffer.byteLength` of the
 * last chunk, flattening it first), so one write per line costs more the more lines wait: ~3.5 µs
 * per admission-review line at 4 KiB of pending lines, against ~0.7 µs handed over in batches
 * (issue 13, measured). The sink keeps its own minLength equal to ours, so a batch is written at
 * once and a smaller remainder (flush, exit) only waits in it for flush/flushSync.
 *
 * A batch is handed on as bytes, not as a string: a string waiting for its asynchronous write
 * outlives a young-generation GC or two under load and moves to the old generation, which then
 * fills with dead log text and is marked in full (the webhook's whole cluster state with it):
 * 4 of those major GCs per 10 s of saturated load against 1–2 with bytes, whose memory lies
 * outside the JavaScript heap (issue 13, measured with --trace-gc).
 */
export class LineBatch {
  private pending = '';

  constructor(
    private readonly sink: LineSink,
    private readonly minLength: number,
  ) {}

  write(line: string): boolean {
    this.pending += line;
    if (this.pending.length >= this.minLength) this.pass();
    return true;
  }

  /** Hands the pending lines to the sink and asks it to write everything it holds. */
  flush(cb?: (err?: Error) => void): void {
    this.pass();
    this.sink.flush(cb);
  }

  /** The same, synchronously (at exit, when no write callback would ever run). */
  flushSync(): void {
    this.pass();
    this.sink.flushSync();
  }

  private pass(): void {
    if (this.pending === '') return;
    const data = this.pending;
    this.pending = '';
    this.sink.write(Buffer.from(data, 'utf8'));
  }
}

/**
 * pino's destination (sonic-boom) on an open file descriptor, writing asynchronously in buffer
 * mode with `minLength`: the sink log.ts puts behind a LineBatch of the same size. A descriptor,
 * not a path: sonic-boom 4.2's buffer mode fails on a flush asked for before it has opened a path.
 */
export function bufferedDestination(fd: number, minLength: number): LineSink {
  // Each write is a round trip through libuv's thread pool (a thread woken: tens of µs on a
  // shared 2-vCPU machine), so batches are large; sonic-boom's maxWrite must exceed minLength.
  const boom = pino.destination({ dest: fd, sync: false, minLength, maxWrite: 2 * minLength, contentMode: 'buffer' });
  // In buffer mode sonic-boom's write takes Buffers; its type declares the utf8 mode's string.
  return boom as unknown as LineSink;
}

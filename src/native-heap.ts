// Gives freed native memory back to the system, the way the JDK's -XX:TrimNativeHeapInterval does
// (JDK-8293114): glibc's malloc keeps memory freed by the program in its arenas — one per thread
// that allocates, and Node has a dozen: V8's GC and compiler workers, libuv's pool — and returns
// it only from the top of each heap, so a burst of allocation stays in RSS long after it is over.
// In the webhook at 10,000 Ingresses that was 20–25 MiB of the resident set after a saturated load
// (159–164 MiB; 137–138 trimmed every 5 s; issue 13, docs/benchmarks.md): memory the kubelet
// counts against the container's limit. malloc_trim(0) releases the free pages of every arena.
// https://man7.org/linux/man-pages/man3/malloc_trim.3.html
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

/** glibc's soname (Debian, the image). Other C libraries (musl) have no malloc_trim: trimming is then off. */
export const GLIBC_LIBRARY = 'libc.so.6';

/** `--native-heap-trim-interval` default: a trim costs 0.3–3 ms of a pool thread, so every 5 s is free. */
export const DEFAULT_TRIM_INTERVAL_MS = 5_000;

/** Calls malloc_trim(0) on libuv's thread pool, never on the event loop; `done(true)` when memory was released. */
export type NativeHeapTrim = (done: (err: Error | undefined, released: boolean) => void) => void;

/**
 * Binds glibc's malloc_trim through koffi (already loaded for libpcre2), or says why it cannot:
 * the process then runs as before, only without trimming.
 */
export function loadNativeHeapTrim(library: string = GLIBC_LIBRARY): NativeHeapTrim | { readonly unavailable: string } {
  let trim: { async(pad: number, cb: (err: unknown, res: number) => void): void };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    trim = koffi.load(library).func('int malloc_trim(size_t pad)');
  } catch (err) {
    return { unavailable: `${library}: ${err instanceof Error ? err.message : String(err)}` };
  }
  return (done) => trim.async(0, (err, res) => done(err === null || err === undefined ? undefined : (err as Error), res === 1));
}

/**
 * Trims every `intervalMs` until stopped. One trim at a time: a trim still running when the next is
 * due (a pool busy with file writes) is not doubled. A trim that fails ends trimming, reported
 * once. The timer does not keep the process alive.
 */
export function startNativeHeapTrim(trim: NativeHeapTrim, intervalMs: number, onError: (err: Error) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    trim((err) => {
      running = false;
      if (!err) return;
      clearInterval(timer);
      onError(err);
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** `--native-heap-trim-interval` for a long-running mode: trims, or logs why it cannot; 0 turns it off. */
export function keepNativeHeapTrimmed(intervalMs: number, logger: Logger, load: () => ReturnType<typeof loadNativeHeapTrim> = loadNativeHeapTrim): () => void {
  if (intervalMs <= 0) return () => {};
  const trim = load();
  if (typeof trim !== 'function') {
    logger.info({ reason: trim.unavailable }, 'freed native memory is not returned to the system (no glibc malloc_trim)');
    return () => {};
  }
  return startNativeHeapTrim(trim, intervalMs, (err) => logger.warn({ err }, 'malloc_trim failed; native heap trimming stopped'));
}

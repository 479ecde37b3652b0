import { pino, type Logger } from 'pino';
import { bufferedDestination, LineBatch } from './line-batch.js';

// Defence in depth: even if an object slips into a log call, Secret payloads and keys are cut.
const REDACT = ['data', '*.data', 'stringData', '*.stringData', 'key', '*.key', 'tlsKey', 'req.headers.authorization'];

/** How long a log line may wait in the buffer before it is written. */
const FLUSH_INTERVAL_MS = 500;

/** Characters of log lines written at once. */
const BATCH_CHARS = 16 * 1024;

/**
 * The root logger: JSON lines on stdout (or another destination in tests). Buffered writes: lines
 * go out in batches of 16 KiB, or every 500 ms, instead of one write per review — one line per
 * review written on its own cost more CPU than the review itself in the benchmark. The lines are
 * gathered before sonic-boom sees them (line-batch.ts says why).
 * https://getpino.io/#/docs/asynchronous
 */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options = { level, base: { app: 'gatehouse' }, redact: { paths: REDACT, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  let batch: LineBatch | undefined;
  // Registered before pino's own exit handlers (pino.destination registers them), so the lines
  // still gathered reach the destination before it is flushed and closed.
  const passOn = (): void => {
    try {
      batch?.flushSync();
    } catch {
      // The destination is gone (closed, or stdout's reader went away): nowhere left to write.
    }
  };
  process.once('beforeExit', passOn);
  process.once('exit', passOn);
  batch = new LineBatch(bufferedDestination(1, BATCH_CHARS), BATCH_CHARS);
  setInterval(() => batch.flush(), FLUSH_INTERVAL_MS).unref();
  return pino(options, batch);
}

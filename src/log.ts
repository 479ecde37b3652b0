import { pino, type Logger } from 'pino';

// Defence in depth: even if an object slips into a log call, Secret payloads and keys are cut.
const REDACT = ['data', '*.data', 'stringData', '*.stringData', 'key', '*.key', 'tlsKey', 'req.headers.authorization'];

/** How long a log line may wait in the buffer before it is written. */
const FLUSH_INTERVAL_MS = 500;

/**
 * The root logger: JSON lines on stdout (or another destination in tests). Buffered writes: lines
 * go out in batches of 4 KiB, or every 500 ms, instead of one write per review — one line per
 * review written on its own cost more CPU than the review itself in the benchmark.
 * https://getpino.io/#/docs/asynchronous
 */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options = { level, base: { app: 'gatehouse' }, redact: { paths: REDACT, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), FLUSH_INTERVAL_MS).unref();
  return pino(options, stream);
}

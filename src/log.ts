import { pino, type Logger } from 'pino';

// Defence in depth: even if an object slips into a log call, Secret payloads and keys are cut.
const REDACT = ['data', '*.data', 'stringData', '*.stringData', 'key', '*.key', 'tlsKey', 'req.headers.authorization'];

/** The root logger: JSON lines on stdout (or another destination in tests). */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  const options = { level, base: { app: 'gatehouse' }, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

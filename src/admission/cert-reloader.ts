import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { checkServingPair, loadServingPair, type ServingPair } from '../tls/serving-pair.js';

/**
 * Watches the serving certificate files and hands each new, valid pair to `apply`.
 * Polls rather than using fs.watch: a mounted Secret is updated by swapping a `..data`
 * symlink, which inotify on the file itself never reports
 * (https://kubernetes.io/docs/concepts/configuration/secret/#mounted-secrets-are-updated-automatically).
 * Like controller-runtime's certwatcher, it swaps only when the bytes changed, and a broken
 * pair is refused: the old one keeps serving.
 */
export class CertReloader {
  private lastCert = '';
  private lastKey = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly certFile: string,
    private readonly keyFile: string,
    private readonly apply: (pair: ServingPair) => void,
    private readonly logger: Logger,
  ) {}

  /** Reads the pair once; throws if it is unusable (startup must fail loudly). */
  async load(): Promise<ServingPair> {
    const pair = await loadServingPair(this.certFile, this.keyFile);
    this.lastCert = pair.cert;
    this.lastKey = pair.key;
    return pair;
  }

  /** Checks the files now; returns true when a new pair was applied. */
  async check(): Promise<boolean> {
    let cert: string;
    let key: string;
    try {
      [cert, key] = await Promise.all([readFile(this.certFile, 'utf8'), readFile(this.keyFile, 'utf8')]);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot read serving certificate files; keeping the current pair');
      return false;
    }
    if (cert === this.lastCert && key === this.lastKey) return false;
    let pair: ServingPair;
    try {
      pair = checkServingPair(cert, key, this.certFile);
    } catch (err) {
      // Half-written updates land here too; the next poll sees the finished pair.
      this.logger.error({ err: (err as Error).message }, 'new serving certificate refused; keeping the current pair');
      return false;
    }
    this.lastCert = cert;
    this.lastKey = key;
    this.apply(pair);
    this.logger.info({ notAfter: pair.notAfter.toISOString() }, 'serving certificate reloaded');
    return true;
  }

  start(intervalMs = 10_000): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

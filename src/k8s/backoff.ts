export interface BackoffOptions {
  /** First delay (default 200 ms). */
  readonly initialMs?: number;
  /** Ceiling (default 30 s). */
  readonly maxMs?: number;
  /** ± fraction of each delay chosen at random (default 0.2), so restarted informers do not retry in lockstep. */
  readonly jitter?: number;
  /** Source of randomness in [0, 1), for tests. */
  readonly random?: () => number;
}

/** Exponential backoff: initialMs, doubling per failure up to maxMs, with jitter; reset() after a success. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 200;
    this.maxMs = opts.maxMs ?? 30_000;
    this.jitter = opts.jitter ?? 0.2;
    this.random = opts.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.initialMs * 2 ** this.attempt, this.maxMs);
    this.attempt++;
    const jittered = base * (1 + this.jitter * (2 * this.random() - 1));
    return Math.round(Math.min(Math.max(jittered, 0), this.maxMs));
  }

  reset(): void {
    this.attempt = 0;
  }
}

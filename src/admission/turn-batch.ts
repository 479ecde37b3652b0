/**
 * Work collected during one turn of the event loop and done together right after it.
 *
 * Why: Node reads every socket that has data in one poll phase, and the HTTP stack (TLS, the
 * parser, fastify) runs for each request there. Deciding each review in between evicts that code
 * from the CPU's caches and the decision's code and data are evicted in turn: the same
 * `handleValidate` took ~11 µs in a loop and ~41 µs in the loaded server (issue 13, measured on
 * this project's 2-vCPU machines). Deciding the turn's reviews one after another, once the poll
 * phase is over (setImmediate runs in the check phase that follows it), keeps each half warm.
 * A lone request waits for nothing: its turn ends as soon as it is read.
 */
export class TurnBatch<T> {
  private pending: T[] = [];
  private scheduled = false;

  /** `failed` gets an item whose `run` threw (it must still be answered). */
  constructor(
    private readonly run: (item: T) => void,
    private readonly failed: (item: T, err: unknown) => void,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  /** Runs every item added so far; one that throws does not keep the others from running. */
  private readonly drain = (): void => {
    const items = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const item of items) {
      try {
        this.run(item);
      } catch (err) {
        this.failed(item, err);
      }
    }
  };
}

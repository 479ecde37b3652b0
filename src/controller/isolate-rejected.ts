import type { ConfigTestResult } from './nginx-runner.js';

/** `nginx -t` on the configuration holding exactly these suspects (and everything that is not one). */
export type Probe = (included: readonly string[]) => Promise<ConfigTestResult>;

/** What the search found: a passing configuration and the suspects it had to leave out. */
export type Isolation =
  | {
      readonly ok: true;
      /** Suspects in the last passing probe, which is the configuration to apply. */
      readonly included: readonly string[];
      /** Suspects left out, each with nginx's output from the probe that failed with it alone added. */
      readonly rejected: ReadonlyMap<string, string>;
      readonly probes: number;
    }
  /** Even without any suspect nginx refuses the configuration: the fault is not in an Ingress. */
  | { readonly ok: false; readonly probes: number };

export interface IsolateOptions {
  /** The probe with every suspect in it, which already failed. */
  readonly failure: ConfigTestResult;
  /** Suspects rejected last time: tried out first, so a round with the same culprits costs one probe. */
  readonly hint?: ReadonlySet<string>;
}

interface Group {
  readonly keys: readonly string[];
  /** Set when `good + keys` is known to fail, with that probe's result. */
  readonly failed?: ConfigTestResult;
}

/**
 * Adaptive group testing (binary splitting) over the suspects, oldest first: finds a maximal set
 * that nginx accepts together, with O(d·log n) probes for d culprits among n suspects instead of
 * n probes of one object each — one `nginx -t` takes seconds at 10,000 Ingresses.
 *
 * Invariant: `good` is exactly the suspect set of the last probe that passed, so the result is
 * always a configuration nginx has accepted, whatever the failures were. A suspect is rejected only
 * when `good + it` fails, so a fault that needs two objects (an interaction) rejects the newer one,
 * as conflicts do. Older halves are tried first for the same reason.
 */
export async function isolateRejected(suspects: readonly string[], probe: Probe, opts: IsolateOptions): Promise<Isolation> {
  let probes = 0;
  let good: readonly string[] = [];
  const rejected = new Map<string, string>();
  const run = (included: readonly string[]): Promise<ConfigTestResult> => {
    probes++;
    return probe(included);
  };

  const hinted = suspects.filter((k) => opts.hint?.has(k));
  const rest = suspects.filter((k) => !opts.hint?.has(k));
  const pending: Group[] = [];
  const withoutHinted = hinted.length > 0 && rest.length > 0 ? await run(rest) : undefined;
  if (withoutHinted?.ok) {
    good = rest;
    pending.push({ keys: hinted, failed: opts.failure });
  } else {
    // Without any suspect the configuration must pass, or nothing here can be blamed.
    if (!(await run([])).ok) return { ok: false, probes };
    if (withoutHinted) pending.push({ keys: rest, failed: withoutHinted }, { keys: hinted });
    else pending.push({ keys: suspects, failed: opts.failure });
  }

  while (pending.length > 0) {
    // Once a culprit is found, the halves left over usually hold no other: try them in one probe,
    // and if they do, search them as one group (log n more probes, not one per leftover half).
    if (pending.length > 1 && pending.every((g) => !g.failed)) {
      const all = pending.flatMap((g) => g.keys);
      const result = await run([...good, ...all]);
      if (result.ok) {
        good = [...good, ...all];
        break;
      }
      pending.splice(0, pending.length, { keys: all, failed: result });
    }
    const group = pending.shift()!;
    let failed = group.failed;
    if (!failed) {
      const result = await run([...good, ...group.keys]);
      if (result.ok) {
        good = [...good, ...group.keys];
        continue;
      }
      failed = result;
    }
    if (group.keys.length === 1) {
      rejected.set(group.keys[0]!, failed.output);
      continue;
    }
    const mid = Math.ceil(group.keys.length / 2);
    const older = group.keys.slice(0, mid);
    const newer = group.keys.slice(mid);
    const result = await run([...good, ...older]);
    if (result.ok) {
      // good + older + newer is the set that failed: the culprit is among the newer half.
      good = [...good, ...older];
      pending.unshift({ keys: newer, failed });
    } else {
      pending.unshift({ keys: older, failed: result }, { keys: newer });
    }
  }
  return { ok: true, included: good, rejected, probes };
}

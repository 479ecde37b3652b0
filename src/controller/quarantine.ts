import type { ApplyResult, NginxApplier } from './apply.js';
import type { Exclusion, ExclusionReport } from './exclusion-report.js';
import { isolateRejected } from './isolate-rejected.js';
import { nginxErrorLine, type ConfigTestResult } from './nginx-runner.js';
import type { RenderedConfig } from './reconcile.js';

export interface QuarantineOptions {
  readonly applier: Pick<NginxApplier, 'apply' | 'test'>;
  /** The current snapshot rendered without these Ingresses (`namespace/name`). */
  readonly render: (excluded: ReadonlySet<string>) => RenderedConfig;
  /** Told what the served configuration leaves out after every round that changed nginx's config. */
  readonly report?: Pick<ExclusionReport, 'update'>;
}

export interface QuarantineResult extends ApplyResult {
  /** Ingresses left out because nginx rejects the configuration with them: key → nginx's error line. */
  readonly rejected: ReadonlyMap<string, string>;
  /** `nginx -t` runs spent finding them (0 when the whole configuration passed). */
  readonly probes: number;
}

/**
 * One bad object quarantines itself, never the cluster. A configuration that fails `nginx -t` is
 * not simply kept out (which froze every later change from every team, and left a restarted
 * controller with nothing to serve): the Ingresses it fails with are found by bisection
 * (isolate-rejected.ts), left out, and everything else is tested and applied. Secrets never pass
 * the Ingress webhook, and the webhook cannot foresee every input nginx refuses: this is the net
 * under both. A failure that remains with every Ingress left out is not an Ingress's fault: the
 * last good configuration keeps serving, as before.
 */
export class Quarantine {
  private quarantined = new Map<string, string>();
  private last: RenderedConfig | undefined;

  constructor(private readonly opts: QuarantineOptions) {}

  /** Ingresses the served configuration leaves out because nginx rejects it with them. */
  get rejected(): ReadonlyMap<string, string> {
    return this.quarantined;
  }

  /** The configuration nginx was last given (after exclusions). */
  get served(): RenderedConfig | undefined {
    return this.last;
  }

  /** Applies `full` (rendered without exclusions), or as much of it as nginx accepts. */
  async apply(full: RenderedConfig): Promise<QuarantineResult> {
    const first = await this.opts.applier.apply(full.text, full.secretFiles);
    const suspects = full.build?.rendered ?? [];
    if (first.status !== 'rejected' || suspects.length === 0) return this.settle(first, full, full, new Map(), 0);

    const excludedFor = (included: readonly string[]): Set<string> => {
      const keep = new Set(included);
      return new Set(suspects.filter((k) => !keep.has(k)));
    };
    const failure: ConfigTestResult = { ok: false, output: first.message ?? '' };
    const found = await isolateRejected(
      suspects,
      (included) => {
        const probe = this.opts.render(excludedFor(included));
        return this.opts.applier.test(probe.text, probe.secretFiles);
      },
      { failure, hint: new Set(this.quarantined.keys()) },
    );
    if (!found.ok) return { ...first, rejected: this.quarantined, probes: found.probes };
    // The passing probe's configuration, rendered again: the applier knows the text (no re-test)
    // unless the snapshot changed meanwhile, and then it is tested like any other.
    const config = this.opts.render(excludedFor(found.included));
    const result = await this.opts.applier.apply(config.text, config.secretFiles);
    const rejected = new Map([...found.rejected].map(([k, output]) => [k, nginxErrorLine(output)]));
    return this.settle(result, config, full, rejected, found.probes);
  }

  private settle(result: ApplyResult, config: RenderedConfig, full: RenderedConfig, rejected: Map<string, string>, probes: number): QuarantineResult {
    if (result.status === 'applied' || result.status === 'unchanged') {
      this.last = config;
      this.quarantined = rejected;
      const exclusions: Exclusion[] = [
        ...(full.build?.skipped ?? []).map((s): Exclusion => ({ ingress: s.ingress, reason: 'CannotRender', message: s.reason })),
        ...[...rejected].map(([ingress, message]): Exclusion => ({ ingress, reason: 'ConfigurationRejected', message })),
      ];
      void this.opts.report?.update(exclusions);
    }
    return { ...result, rejected: this.quarantined, probes };
  }
}

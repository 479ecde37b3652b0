import { rename, writeFile } from 'node:fs/promises';
import type { ClusterSnapshot } from '../k8s/snapshot.js';
import { dynamicUpstreams, endpointTable } from '../nginx/dynamic-upstreams.js';
import type { NginxModel, UpstreamModel } from '../nginx/model.js';
import { reresolveUpstream } from '../nginx/upstreams.js';

/** What one publish did. */
export interface PublishResult {
  /** Whether the file changed (nginx workers pick it up within their poll interval). */
  readonly written: boolean;
  /** Endpoints left out (not an IP literal, or over the per-upstream cap). */
  readonly dropped: number;
}

/**
 * Writes the endpoint file the Lua balancer reads (lua/gatehouse/endpoints.lua): tmp file then
 * rename(2), so a worker reads the old file or the new one, never half. Unchanged text is not
 * rewritten. Writes are serialized.
 */
export class EndpointPublisher {
  private last: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The dynamic upstreams of the models last published, which refresh() resolves again. */
  private upstreams: readonly UpstreamModel[] = [];
  private published = false;

  constructor(private readonly file: string) {}

  /**
   * Publishes the dynamic upstreams of `models`: the model about to be applied and the one nginx
   * serves now (they differ while a reload is pending, or when the quarantine left an Ingress
   * out), so every upstream either configuration names has its endpoints. The first model wins
   * for an upstream both name.
   */
  publish(...models: readonly (NginxModel | undefined)[]): Promise<PublishResult> {
    const byName = new Map<string, UpstreamModel>();
    for (const model of models) {
      if (!model) continue;
      for (const u of dynamicUpstreams(model)) if (!byName.has(u.name)) byName.set(u.name, u);
    }
    this.upstreams = [...byName.values()];
    this.published = true;
    return this.enqueue(this.upstreams);
  }

  /**
   * Publishes the endpoints `cluster` holds now for the upstreams last published, without a
   * render: an EndpointSlice change reaches nginx in milliseconds, while the full render (which
   * the reconciler still runs, for upstreams on the reload path) takes up to seconds at scale.
   * An upstream whose Service or port no longer resolve to the same upstream keeps its endpoints
   * until that render. The table is computed now, so writes keep the order of the snapshots read.
   */
  refresh(cluster: ClusterSnapshot): Promise<PublishResult> {
    // Before the first publish nothing is known to refresh: an empty table would wipe the file.
    if (!this.published) return Promise.resolve({ written: false, dropped: 0 });
    return this.enqueue(this.upstreams.map((u) => reresolveUpstream(cluster, u) ?? u));
  }

  private enqueue(upstreams: Iterable<UpstreamModel>): Promise<PublishResult> {
    const table = endpointTable(upstreams);
    const next = this.queue.then(() => this.write(table.text));
    this.queue = next.catch(() => undefined);
    return next.then((written) => ({ written, dropped: table.dropped }));
  }

  private async write(text: string): Promise<boolean> {
    if (text === this.last) return false;
    const tmp = `${this.file}.tmp`;
    // Workers (an unprivileged user when the master is root) read it: 0644, as nginx.conf.
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, this.file);
    this.last = text;
    return true;
  }
}

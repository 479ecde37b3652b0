import { rename, writeFile } from 'node:fs/promises';
import { dynamicUpstreams, endpointTable } from '../nginx/dynamic-upstreams.js';
import type { NginxModel, UpstreamModel } from '../nginx/model.js';

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
    const table = endpointTable(byName.values());
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

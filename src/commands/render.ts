import { RENDER_COMMAND_FLAGS, renderConfigFrom } from '../config/controller-config.js';
import { loadFileSnapshot } from '../k8s/file-snapshot.js';
import { renderSnapshot } from '../controller/render-snapshot.js';
import type { Command } from './command.js';

export const renderCommand: Command = {
  name: 'render',
  usage: 'gatehouse render [--snapshot PATH...] [flags]',
  summary:
    'Prints the nginx.conf the controller would write for the snapshot (for debugging and review).\n' +
    'Skipped Ingresses and conflicts are reported on stderr. Without EndpointSlices, Services are reached through their ClusterIP.',
  flags: RENDER_COMMAND_FLAGS,
  async run(parsed, io) {
    const config = renderConfigFrom(parsed);
    const { store } = await loadFileSnapshot([...config.snapshotPaths, ...parsed.positionals]);
    const { build, text } = renderSnapshot(store, config);
    for (const s of build.skipped) io.stderr(`skipped ${s.ingress}: ${s.reason}\n`);
    for (const c of build.conflicts) io.stderr(`conflict: ${c.loser} loses ${c.claim} to ${c.winner}\n`);
    for (const w of build.warnings) io.stderr(`warning ${w.ingress}: ${w.message}\n`);
    io.stdout(text);
    return 0;
  },
};

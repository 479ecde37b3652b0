import { CERTGEN_CREATE_FLAGS, CERTGEN_PATCH_FLAGS, certgenCreateOptionsFrom, certgenPatchOptionsFrom } from '../certgen/options.js';
import { LOG_FLAGS } from '../config/common-flags.js';
import { GatehouseError } from '../errors.js';
import { createLogger } from '../log.js';
import type { Command } from './command.js';

/**
 * certgen says each outcome once: one human line on stdout. Its JSON log carries only warnings and
 * errors, and the same events as debug lines with `--log-level debug` (for Job logs shipped to a
 * log pipeline); before, every outcome came out twice, as text and as an info line.
 */
function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new GatehouseError('USAGE', `unexpected argument ${positionals[0]}`);
}

export const certgenCreateCommand: Command = {
  name: 'certgen create',
  usage: 'gatehouse certgen create --host NAMES (--namespace NS --secret-name NAME | --out-dir DIR) [flags]',
  summary:
    "Issues the webhook's CA and serving certificate and stores them in a Secret (or --out-dir). Idempotent: valid,\n" +
    'covering material outside the renewal window is left alone. Flags are compatible with kube-webhook-certgen.',
  flags: [...CERTGEN_CREATE_FLAGS, ...LOG_FLAGS],
  async run(parsed, io) {
    noPositionals(parsed.positionals);
    const logger = createLogger(parsed.values['log-level'] as string, io.logDestination);
    // Loaded on use: every command imports this module for --help, and patch needs the API client.
    const { runCertgenCreate } = await import('../certgen/create.js');
    const result = await runCertgenCreate(certgenCreateOptionsFrom(parsed.values), { logger });
    io.stdout(`${result.message}\n`);
    logger.flush();
    return 0;
  },
};

export const certgenPatchCommand: Command = {
  name: 'certgen patch',
  usage: 'gatehouse certgen patch --webhook-name NAME --namespace NS --secret-name NAME [flags]',
  summary:
    'Puts the CA bundle from the Secret into caBundle of every webhook of the Validating and/or Mutating\n' +
    'WebhookConfiguration of that name. Writes nothing when nothing would change.',
  flags: [...CERTGEN_PATCH_FLAGS, ...LOG_FLAGS],
  async run(parsed, io) {
    noPositionals(parsed.positionals);
    const logger = createLogger(parsed.values['log-level'] as string, io.logDestination);
    const { runCertgenPatch } = await import('../certgen/patch.js');
    const result = await runCertgenPatch(certgenPatchOptionsFrom(parsed.values), { logger });
    io.stdout(`${result.message}\n`);
    logger.flush();
    return 0;
  },
};

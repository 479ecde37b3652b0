import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { CertReloader } from '../admission/cert-reloader.js';
import { buildWebhookServer, setServingPair } from '../admission/server.js';
import type { HostPort } from '../config/flags.js';
import { GatehouseError } from '../errors.js';
import type { ClusterSnapshot } from '../k8s/snapshot.js';
import type { WebhookMetrics } from '../metrics.js';
import { POLICY_RULE_IDS } from '../config/common-flags.js';
import type { AdmissionPolicy } from '../policy/action.js';
import { PolicyReloader } from '../policy/policy-reloader.js';
import { RULES } from '../rules/index.js';
import type { RuleOptions } from '../rules/types.js';
import { selfSignedKeyPair } from '../tls/self-signed.js';
import type { ServingPair } from '../tls/serving-pair.js';

/** TLS and caller settings of the admission webhook (the webhook command's flags). */
export interface WebhookServing {
  readonly listen: HostPort;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | 'self-signed';
  readonly clientCaFile?: string;
  readonly allowedClientNames: readonly string[];
  readonly rules: RuleOptions;
  /** A policy file over `rules.policy`, re-read while serving. */
  readonly policyFile?: string;
}

export interface ServedWebhook {
  readonly app: FastifyInstance;
  /** The policy in force (re-read from --policy-file while serving, else the flags'). */
  readonly policy: () => AdmissionPolicy;
  close(): Promise<void>;
}

/** Loads the serving pair, builds the HTTPS app over `cluster`, listens, and watches the cert files. */
export async function serveWebhook(
  settings: WebhookServing,
  source: { readonly cluster: ClusterSnapshot; readonly synced: () => boolean },
  metrics: WebhookMetrics,
  logger: Logger,
  hooks: { readonly onPolicyChange?: () => void } = {},
): Promise<ServedWebhook> {
  let pair: ServingPair;
  let reloader: CertReloader | undefined;
  let app: FastifyInstance | undefined;
  if (settings.tls === 'self-signed') {
    pair = selfSignedKeyPair(['localhost', '127.0.0.1', '::1']);
    logger.warn('serving a self-signed certificate for localhost: for try-outs only');
  } else {
    reloader = new CertReloader(
      settings.tls.certFile,
      settings.tls.keyFile,
      (next) => {
        if (app) setServingPair(app, next);
        metrics.tlsCertExpiry.set(next.notAfter.getTime() / 1000);
      },
      logger.child({ component: 'cert-reloader' }),
    );
    try {
      pair = await reloader.load();
    } catch (err) {
      throw new GatehouseError('TLS_CONFIG', (err as Error).message, { cause: err });
    }
  }
  metrics.tlsCertExpiry.set(pair.notAfter.getTime() / 1000);
  let clientCa: string | undefined;
  if (settings.clientCaFile) {
    try {
      clientCa = await readFile(settings.clientCaFile, 'utf8');
    } catch (err) {
      throw new GatehouseError('TLS_CONFIG', `--client-ca-file: ${(err as Error).message}`, { cause: err });
    }
  }
  const policy = settings.policyFile
    ? new PolicyReloader(settings.policyFile, settings.rules.policy, POLICY_RULE_IDS, logger.child({ component: 'policy' }), () => hooks.onPolicyChange?.())
    : undefined;
  await policy?.load();
  app = buildWebhookServer({
    tls: pair,
    ...(clientCa ? { clientCa } : {}),
    allowedClientNames: settings.allowedClientNames,
    deps: {
      cluster: source.cluster,
      synced: source.synced,
      rules: RULES,
      options: settings.rules,
      logger: logger.child({ component: 'admission' }),
      ...(policy ? { policy: policy.current } : {}),
    },
    metrics,
  });
  await listenOn(app, settings.listen, 'webhook');
  reloader?.start();
  policy?.start();
  const served = app;
  return {
    app: served,
    policy: policy?.current ?? (() => settings.rules.policy),
    close: async () => {
      reloader?.stop();
      policy?.stop();
      await served.close();
    },
  };
}

/** `listen` with a catalog error naming the address. */
export async function listenOn(app: { listen(o: { host: string; port: number }): Promise<string> }, hp: HostPort, what: string): Promise<void> {
  try {
    await app.listen({ host: hp.host, port: hp.port });
  } catch (err) {
    throw new GatehouseError('LISTEN', `${what} ${hp.host}:${hp.port}: ${(err as Error).message}`, { cause: err });
  }
}

/** A host:port for URLs (wildcard addresses become loopback). */
export function urlHost(hp: HostPort): string {
  const host = hp.host === '0.0.0.0' || hp.host === '::' ? '127.0.0.1' : hp.host;
  return host.includes(':') ? `[${host}]` : host;
}

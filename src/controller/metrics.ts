import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The controller's Prometheus metrics (issue 4), on a registry the caller owns. */
export interface ControllerMetrics {
  /** Candidate configs applied: result `success` (tested, swapped, reloaded) or `failure`. */
  readonly reloads: Counter<'result'>;
  readonly renderSeconds: Histogram;
  /** 1 while the last candidate was applied; 0 after one failed `nginx -t` or reload. */
  readonly lastReloadSuccessful: Gauge;
  readonly ownedIngresses: Gauge;
  /**
   * 1 per owned Ingress left out of the served configuration, by reason (`ConfigurationRejected`:
   * nginx refused the configuration with it; `CannotRender`: the controller refused to render it);
   * the series is removed once it is served again.
   */
  readonly ingressExcluded: Gauge<'namespace' | 'name' | 'reason'>;
  /** notAfter of the certificate nginx serves for each host with a Secret's certificate (traffic-certificates.ts). */
  readonly certificateExpiry: Gauge<'host'>;
}

export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const reloads = new Counter({
    name: 'gatehouse_nginx_reloads_total',
    help: 'nginx configuration reloads, by result (success, failure)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const renderSeconds = new Histogram({
    name: 'gatehouse_config_render_seconds',
    help: 'Time to build the model from the snapshot and render nginx.conf',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const lastReloadSuccessful = new Gauge({
    name: 'gatehouse_nginx_config_last_reload_successful',
    help: '1 if the last nginx configuration candidate was applied, 0 if it failed',
    registers: [registry],
  });
  const ownedIngresses = new Gauge({
    name: 'gatehouse_controller_owned_ingresses',
    help: 'Ingresses this controller owns (by class)',
    registers: [registry],
  });
  const ingressExcluded = new Gauge({
    name: 'gatehouse_ingress_excluded',
    help: 'Owned Ingresses left out of the served nginx configuration (1 while excluded), by reason',
    labelNames: ['namespace', 'name', 'reason'] as const,
    registers: [registry],
  });
  const certificateExpiry = new Gauge({
    name: 'gatehouse_ssl_certificate_expiry_timestamp_seconds',
    help: 'When the certificate nginx serves for a host expires (seconds since the epoch)',
    labelNames: ['host'] as const,
    registers: [registry],
  });
  // Nothing has failed before the first attempt.
  lastReloadSuccessful.set(1);
  reloads.inc({ result: 'success' }, 0);
  reloads.inc({ result: 'failure' }, 0);
  return { reloads, renderSeconds, lastReloadSuccessful, ownedIngresses, ingressExcluded, certificateExpiry };
}

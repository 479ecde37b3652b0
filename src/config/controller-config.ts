import { isIP } from 'node:net';
import { GatehouseError } from '../errors.js';
import type { AccessLogFormat, AccessLogTarget } from '../nginx/access-log.js';
import { clientIpProblem, DEFAULT_CLIENT_IP, type ClientIpOptions } from '../nginx/client-ip.js';
import type { RuleOptions } from '../rules/types.js';
import { LOG_FLAGS, PROCESS_FLAGS, RULE_FLAGS, ruleOptionsFrom, SNAPSHOT_FLAGS } from './common-flags.js';
import type { FlagSpec, HostPort, ParsedFlags } from './flags.js';
import { WEBHOOK_FLAGS } from './webhook-config.js';
import { labelSelectorProblem } from '../k8s/namespace-scope.js';

/** Flags that shape the rendered nginx.conf (shared by `controller` and `render`). */
export const RENDER_FLAGS: readonly FlagSpec[] = [
  { name: 'config-dir', type: 'string', arg: 'DIR', default: '/tmp/gatehouse', help: 'where nginx.conf, certificates and nginx temp files live' },
  { name: 'http-listen', type: 'hostport', default: { host: '0.0.0.0', port: 80 }, help: 'nginx HTTP address' },
  { name: 'https-listen', type: 'hostport', default: { host: '0.0.0.0', port: 443 }, help: 'nginx HTTPS address' },
  {
    name: 'default-backend-service',
    type: 'string',
    arg: 'NS/NAME',
    help: 'Service answering requests no Ingress matches (else 404), unless an Ingress sets spec.defaultBackend',
  },
  { name: 'access-log', type: 'string', arg: 'off|stdout|PATH', default: 'stdout', help: "nginx's access log: one line per request to stdout, to a file, or off" },
  { name: 'access-log-format', type: 'enum', values: ['json', 'combined'], default: 'json', help: 'access log lines: JSON objects or nginx\'s combined text' },
  { name: 'use-forwarded-headers', type: 'bool', default: false, help: 'believe X-Forwarded-For/-Proto/-Host/-Port from peers in --proxy-real-ip-cidr (behind an L7 load balancer)' },
  { name: 'forwarded-for-header', type: 'string', arg: 'HEADER', default: 'X-Forwarded-For', help: 'the header naming the client, with --use-forwarded-headers' },
  { name: 'compute-full-forwarded-for', type: 'bool', default: false, help: "append the peer to a trusted peer's X-Forwarded-For instead of replacing it" },
  { name: 'proxy-real-ip-cidr', type: 'list', arg: 'CIDRS', default: ['0.0.0.0/0'], help: 'peers believed by --use-forwarded-headers and --use-proxy-protocol' },
  { name: 'use-proxy-protocol', type: 'bool', default: false, help: 'connections start with a PROXY protocol header (behind an L4 load balancer that sends it)' },
];

const WEBHOOK_TLS_FLAGS = WEBHOOK_FLAGS.filter((f) =>
  ['tls-cert-file', 'tls-key-file', 'self-signed', 'client-ca-file', 'allowed-client-names', 'policy-file'].includes(f.name),
);

export const CONTROLLER_FLAGS: readonly FlagSpec[] = [
  { name: 'nginx-binary', type: 'string', arg: 'PATH', default: 'nginx', help: 'the nginx executable' },
  ...RENDER_FLAGS,
  { name: 'health-listen', type: 'hostport', default: { host: '0.0.0.0', port: 10254 }, help: 'plain-HTTP /healthz, /readyz and /metrics' },
  { name: 'traffic-metrics', type: 'bool', default: true, help: 'per-Ingress request metrics on /metrics, from a log nginx sends the controller over loopback UDP' },
  {
    name: 'status-listen',
    type: 'hostport',
    default: { host: '127.0.0.1', port: 10246 },
    help: "nginx's internal status server (Gatehouse reads which config nginx has loaded from it)",
  },
  { name: 'publish-status-address', type: 'list', arg: 'ADDRS', help: 'addresses written to status.loadBalancer of owned Ingresses' },
  { name: 'publish-service', type: 'string', arg: 'NS/NAME', help: 'Service whose load-balancer addresses (or ClusterIP) are written to Ingress status' },
  { name: 'election-id', type: 'string', default: 'gatehouse-leader', help: 'name of the coordination.k8s.io Lease for leader election' },
  { name: 'election-namespace', type: 'string', help: 'namespace of that Lease (default: $POD_NAMESPACE, else default)' },
  {
    name: 'resolver',
    type: 'list',
    arg: 'IPS',
    help: 'DNS servers nginx uses for ExternalName Services (default: the nameservers of /etc/resolv.conf)',
  },
  { name: 'configmap', type: 'string', arg: 'NS/NAME', help: 'ConfigMap of global settings, ingress-nginx key names (docs/configmap.md); watched live' },
  { name: 'watch-namespace', type: 'list', arg: 'NAMESPACES', help: 'serve only Ingresses in these namespaces (repeatable or comma-separated; default: all)' },
  { name: 'watch-namespace-selector', type: 'string', arg: 'SELECTOR', help: 'serve only Ingresses in namespaces whose labels match this label selector (e.g. team=shop,env!=dev)' },
  {
    name: 'default-ssl-certificate',
    type: 'string',
    arg: 'NS/NAME',
    help: 'kubernetes.io/tls Secret nginx presents for unknown names and TLS hosts without a usable Secret (default: a generated self-signed one)',
  },
  { name: 'sync-delay', type: 'duration', default: 200, help: 'quiet time after a change before rendering' },
  { name: 'sync-max-delay', type: 'duration', default: 1000, help: 'longest a change waits while changes keep coming' },
  {
    name: 'dynamic-endpoints',
    type: 'bool',
    default: true,
    help: "endpoint changes reach nginx without a reload (Debian's libnginx-mod-http-lua); false lists endpoints in nginx.conf",
  },
  { name: 'webhook-listen', type: 'hostport', help: 'also serve the admission webhook here, from the same cache (needs the TLS flags)' },
  ...WEBHOOK_TLS_FLAGS,
  ...SNAPSHOT_FLAGS,
  ...RULE_FLAGS,
  ...PROCESS_FLAGS,
  ...LOG_FLAGS,
];

export const RENDER_COMMAND_FLAGS: readonly FlagSpec[] = [...RENDER_FLAGS, SNAPSHOT_FLAGS[0]!, ...RULE_FLAGS];

export interface NamespacedName {
  readonly namespace: string;
  readonly name: string;
}

function namespacedName(flag: string, value: unknown): NamespacedName | undefined {
  if (value === undefined) return undefined;
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(String(value));
  if (!m) throw new GatehouseError('USAGE', `--${flag}: must be NAMESPACE/NAME (got ${JSON.stringify(value)})`);
  return { namespace: m[1]!, name: m[3]! };
}

function resolversFrom(value: unknown): string[] {
  const ips = (value as string[] | undefined) ?? [];
  for (const ip of ips) if (isIP(ip) === 0) throw new GatehouseError('USAGE', `--resolver: ${JSON.stringify(ip)} is not an IP address`);
  return ips;
}

/** The nameserver IPs of a resolv.conf text (what the kubelet gives a Pod: the cluster DNS). */
export function nameserversOf(resolvConf: string): string[] {
  return [...resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!).filter((ip) => isIP(ip) !== 0);
}

/** Settings that shape rendering. */
export interface RenderConfig {
  readonly configDir: string;
  readonly httpListen: HostPort;
  readonly httpsListen: HostPort;
  readonly defaultBackendService?: NamespacedName;
  readonly rules: RuleOptions;
  readonly snapshotPaths: readonly string[];
  /** Absent: off (as for configs built in code; the flag's default is stdout). */
  readonly accessLog?: AccessLogTarget;
  readonly accessLogFormat?: AccessLogFormat;
  /** Absent: DEFAULT_CLIENT_IP. */
  readonly clientIp?: ClientIpOptions;
}

function accessLogFrom(value: unknown): AccessLogTarget {
  const text = String(value);
  if (text === 'off' || text === 'stdout') return text;
  if (!/^\/[A-Za-z0-9/._+-]*$/.test(text)) throw new GatehouseError('USAGE', `--access-log: must be off, stdout or an absolute path of [A-Za-z0-9/._+-] (got ${JSON.stringify(text)})`);
  return { path: text };
}

/** The client-IP settings from flags (a ConfigMap can fill the same fields later). */
export function clientIpFrom(v: Readonly<Record<string, unknown>>): ClientIpOptions {
  const options: ClientIpOptions = Object.freeze({
    useForwardedHeaders: (v['use-forwarded-headers'] as boolean | undefined) ?? DEFAULT_CLIENT_IP.useForwardedHeaders,
    forwardedForHeader: (v['forwarded-for-header'] as string | undefined) ?? DEFAULT_CLIENT_IP.forwardedForHeader,
    computeFullForwardedFor: (v['compute-full-forwarded-for'] as boolean | undefined) ?? DEFAULT_CLIENT_IP.computeFullForwardedFor,
    proxyRealIpCidr: Object.freeze([...((v['proxy-real-ip-cidr'] as string[] | undefined) ?? DEFAULT_CLIENT_IP.proxyRealIpCidr)]),
    useProxyProtocol: (v['use-proxy-protocol'] as boolean | undefined) ?? DEFAULT_CLIENT_IP.useProxyProtocol,
  });
  const problem = clientIpProblem(options);
  if (problem !== undefined) throw new GatehouseError('USAGE', `--${problem}`);
  return options;
}

export function renderConfigFrom(parsed: ParsedFlags): RenderConfig {
  const v = parsed.values;
  const configDir = v['config-dir'] as string;
  if (!configDir.startsWith('/')) throw new GatehouseError('USAGE', `--config-dir: must be an absolute path (got ${JSON.stringify(configDir)})`);
  const defaultBackend = namespacedName('default-backend-service', v['default-backend-service']);
  return Object.freeze({
    configDir,
    httpListen: v['http-listen'] as HostPort,
    httpsListen: v['https-listen'] as HostPort,
    ...(defaultBackend ? { defaultBackendService: defaultBackend } : {}),
    rules: ruleOptionsFrom(v),
    snapshotPaths: (v['snapshot'] as string[] | undefined) ?? [],
    accessLog: accessLogFrom(v['access-log'] ?? 'off'),
    accessLogFormat: (v['access-log-format'] as AccessLogFormat | undefined) ?? 'json',
    clientIp: clientIpFrom(v),
  });
}

/** Validated, frozen settings of `gatehouse controller`. */
export interface ControllerConfig extends RenderConfig {
  readonly nginxBinary: string;
  readonly healthListen: HostPort;
  readonly statusListen: HostPort;
  readonly publishStatusAddresses: readonly string[];
  readonly publishService?: NamespacedName;
  readonly electionId: string;
  readonly electionNamespace: string;
  readonly syncDelayMs: number;
  readonly syncMaxDelayMs: number;
  /** Endpoints of every proxied upstream through the Lua channel instead of nginx.conf (no reload per endpoint change). */
  readonly dynamicEndpoints: boolean;
  readonly trafficMetrics: boolean;
  /** Empty: use /etc/resolv.conf's nameservers. */
  readonly resolvers: readonly string[];
  readonly webhook?: {
    readonly listen: HostPort;
    readonly tls: { readonly certFile: string; readonly keyFile: string } | 'self-signed';
    readonly clientCaFile?: string;
    readonly allowedClientNames: readonly string[];
    readonly rules: RuleOptions;
    readonly policyFile?: string;
  };
  readonly kubeconfig?: string;
  /** `--native-heap-trim-interval`, ms; 0: never (native-heap.ts). */
  readonly nativeHeapTrimIntervalMs: number;
  readonly logLevel: string;
  /** `--configmap`: the watched ConfigMap of global settings (configmap/). */
  readonly configMap?: NamespacedName;
  /** `--watch-namespace`: empty = every namespace. */
  readonly watchNamespaces: readonly string[];
  /** `--watch-namespace-selector`, parsed (k8s/namespace-scope.ts). */
  readonly watchNamespaceSelector?: string;
  /** `--default-ssl-certificate`. */
  readonly defaultSslCertificate?: NamespacedName;
}

/** `env` is passed in: this module and webhook-config are the only readers of configuration. */
export function controllerConfigFrom(parsed: ParsedFlags, env: NodeJS.ProcessEnv): ControllerConfig {
  const v = parsed.values;
  if (parsed.positionals.length > 0) throw new GatehouseError('USAGE', `unexpected argument ${parsed.positionals[0]}`);
  const render = renderConfigFrom(parsed);
  if (render.snapshotPaths.length > 0 && v['kubeconfig']) throw new GatehouseError('USAGE', '--snapshot and --kubeconfig are exclusive');
  const publishService = namespacedName('publish-service', v['publish-service']);
  const addresses = (v['publish-status-address'] as string[] | undefined) ?? [];
  if (publishService && addresses.length > 0) throw new GatehouseError('USAGE', '--publish-service and --publish-status-address are exclusive');
  let webhook: ControllerConfig['webhook'];
  if (v['webhook-listen']) {
    const cert = v['tls-cert-file'] as string | undefined;
    const key = v['tls-key-file'] as string | undefined;
    const selfSigned = v['self-signed'] as boolean;
    if (!selfSigned && (!cert || !key)) throw new GatehouseError('USAGE', '--webhook-listen needs --tls-cert-file and --tls-key-file, or --self-signed');
    webhook = {
      listen: v['webhook-listen'] as HostPort,
      tls: selfSigned ? 'self-signed' : { certFile: cert!, keyFile: key! },
      ...(v['client-ca-file'] ? { clientCaFile: v['client-ca-file'] as string } : {}),
      allowedClientNames: (v['allowed-client-names'] as string[] | undefined) ?? [],
      rules: render.rules,
      ...(v['policy-file'] ? { policyFile: v['policy-file'] as string } : {}),
    };
  } else if (v['tls-cert-file'] || v['tls-key-file'] || v['client-ca-file'] || v['policy-file']) {
    throw new GatehouseError('USAGE', 'the TLS flags configure the webhook: they need --webhook-listen');
  }
  return Object.freeze({
    ...render,
    nginxBinary: v['nginx-binary'] as string,
    healthListen: v['health-listen'] as HostPort,
    statusListen: v['status-listen'] as HostPort,
    publishStatusAddresses: Object.freeze(addresses),
    ...(publishService ? { publishService } : {}),
    electionId: v['election-id'] as string,
    electionNamespace: (v['election-namespace'] as string | undefined) ?? env['POD_NAMESPACE'] ?? 'default',
    syncDelayMs: v['sync-delay'] as number,
    syncMaxDelayMs: v['sync-max-delay'] as number,
    dynamicEndpoints: v['dynamic-endpoints'] as boolean,
    trafficMetrics: v['traffic-metrics'] as boolean,
    resolvers: Object.freeze(resolversFrom(v['resolver'])),
    ...(webhook ? { webhook } : {}),
    ...(v['kubeconfig'] ? { kubeconfig: v['kubeconfig'] as string } : {}),
    nativeHeapTrimIntervalMs: v['native-heap-trim-interval'] as number,
    logLevel: v['log-level'] as string,
    ...optionalName('configMap', namespacedName('configmap', v['configmap'])),
    watchNamespaces: Object.freeze(watchNamespacesFrom(v['watch-namespace'])),
    ...(v['watch-namespace-selector'] !== undefined ? { watchNamespaceSelector: selectorFrom(v['watch-namespace-selector'] as string) } : {}),
    ...optionalName('defaultSslCertificate', namespacedName('default-ssl-certificate', v['default-ssl-certificate'])),
  });
}

function optionalName<K extends string>(key: K, value: NamespacedName | undefined): { [P in K]?: NamespacedName } {
  return (value ? { [key]: value } : {}) as { [P in K]?: NamespacedName };
}

function watchNamespacesFrom(value: unknown): string[] {
  const namespaces = (value as string[] | undefined) ?? [];
  for (const ns of namespaces) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) throw new GatehouseError('USAGE', `--watch-namespace: ${JSON.stringify(ns)} is not a namespace name`);
  }
  return [...new Set(namespaces)];
}

function selectorFrom(value: string): string {
  const problem = labelSelectorProblem(value);
  if (problem) throw new GatehouseError('USAGE', `--watch-namespace-selector: ${problem}`);
  return value;
}

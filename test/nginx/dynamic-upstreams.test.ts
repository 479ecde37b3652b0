// Which upstreams take their endpoints from the Lua channel, and the endpoint file's contents.
import { describe, expect, test } from 'vitest';
import { DEFAULT_OWNERSHIP } from '../../src/k8s/ownership.js';
import { buildModel } from '../../src/nginx/build-model.js';
import { dynamicUpstreamNames, endpointTable, MAX_ENDPOINTS, upstreamKey } from '../../src/nginx/dynamic-upstreams.js';
import { renderNginxConf } from '../../src/nginx/render.js';
import { ingress, service, shopCluster } from '../fixtures/builders.js';
import { endpointSlice } from '../fixtures/endpoint-slices.js';

const P = 'nginx.ingress.kubernetes.io/';
const OPTS = { configDir: '/tmp/gh', httpListen: '127.0.0.1:8080', httpsListen: '127.0.0.1:8443', endpointChannel: { file: '/tmp/gh/endpoints', luaDir: '/app/lua' } };

function modelWith(annotations: Record<string, string>, addresses: string[]) {
  const prefixed = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [P + k, v]));
  const cluster = shopCluster(service('shop', 'api'), ...(addresses.length ? [endpointSlice('shop', 'api', addresses, 8080)] : []), ingress({ name: 'api', host: 'api.com', annotations: prefixed, paths: [{ path: '/', service: 'api' }] }));
  return buildModel(cluster, { ownership: DEFAULT_OWNERSHIP }).model;
}

const KINDS = [
  ['round robin over HTTP', {}, 'balance'],
  ['upstream-hash-by', { 'upstream-hash-by': '$request_uri' }, 'balance_hash'],
  ['load-balance ewma', { 'load-balance': 'ewma' }, 'balance_least_conn'],
  ['cookie affinity', { affinity: 'cookie' }, 'balance_cookie'],
  ['persistent cookie affinity', { affinity: 'cookie', 'affinity-mode': 'persistent', 'session-cookie-name': 'PIN' }, 'balance_persistent'],
  ['GRPC backend', { 'backend-protocol': 'GRPC' }, 'balance'],
  ['GRPCS backend', { 'backend-protocol': 'GRPCS' }, 'balance'],
  ['HTTPS backend', { 'backend-protocol': 'HTTPS' }, 'balance'],
] as const;

describe('dynamic upstreams', () => {
  test.for(KINDS)('%s: on the channel, balanced by %s', ([, annotations, fn]) => {
    const model = modelWith(annotations, ['10.0.0.1']);
    expect(dynamicUpstreamNames(model).size).toBe(1);
    expect(renderNginxConf(model, OPTS)).toContain(`balancer_by_lua_block { require("gatehouse.endpoints").${fn}() }`);
  });

  test.for(KINDS)('%s: nginx.conf is byte-identical whatever the endpoints, empty included', ([, annotations]) => {
    const texts = [['10.0.0.1'], ['10.0.0.1', '10.0.0.2'], []].map((a) => renderNginxConf(modelWith(annotations, a), OPTS));
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).not.toContain('10.0.0.1');
  });

  test('upstream-hash-by: nginx evaluates the escaped key in a map by upstream name; Lua reads the result', () => {
    const text = renderNginxConf(modelWith({ 'upstream-hash-by': '$http_x_user' }, ['10.0.0.1']), OPTS);
    expect(text).toMatch(/map \$gh_upstream_name \$gh_hash_key \{\n\s+volatile;\n\s+default "";\n\s+shop_api_http_hash_[0-9a-f]{12} "\$http_x_user";\n\s+\}/);
    expect(text).not.toMatch(/^\s*hash /m);
  });

  test('persistent affinity: the cookie by upstream name for Lua, the Set-Cookie from the id Lua chose; no endpoint map', () => {
    const text = renderNginxConf(modelWith({ affinity: 'cookie', 'affinity-mode': 'persistent', 'session-cookie-name': 'PIN' }, ['10.0.0.1']), OPTS);
    expect(text).toMatch(/map \$gh_upstream_name \$gh_pin_cookie \{[^}]*shop_api_http_sticky_PIN_p \$cookie_PIN;/);
    expect(text).toContain('map "$cookie_PIN|$gh_pin_id" $gh_set_cookie_');
    expect(text).not.toContain('$upstream_addr');
    expect(text).toContain('proxy_pass http://shop_api_http_sticky_PIN_p;');
  });

  test('least-conn: requests release their slot in the log phase', () => {
    expect(renderNginxConf(modelWith({ 'load-balance': 'ewma' }, ['10.0.0.1']), OPTS)).toContain('log_by_lua_block { require("gatehouse.endpoints").log() }');
    expect(renderNginxConf(modelWith({}, ['10.0.0.1']), OPTS)).not.toContain('log_by_lua');
  });

  test.for([
    ['GRPC', 'grpc_pass grpc://shop_api_http;'],
    ['GRPCS', 'grpc_pass grpcs://shop_api_http;'],
    ['HTTPS', 'proxy_pass https://shop_api_http;'],
  ] as const)('%s: the location names its upstream and answers 503 from Lua without endpoints', ([protocol, pass]) => {
    const text = renderNginxConf(modelWith({ 'backend-protocol': protocol }, []), OPTS);
    expect(text).toContain(`set $gh_upstream shop_api_http;`);
    expect(text).toContain('rewrite_by_lua_block { require("gatehouse.endpoints").check() }');
    expect(text).toContain(pass);
    expect(text).not.toMatch(/return 503;\n\s*\}\n\s*\}\n$/);
  });

  test('custom error pages: the check answers (their error_page must see nginx\'s own 503); with a default-backend it names that backend\'s location', () => {
    const text = renderNginxConf(modelWith({ 'custom-http-errors': '503' }, []), OPTS);
    expect(text).toContain('rewrite_by_lua_block { require("gatehouse.endpoints").check() }');
    expect(text).toMatch(/set \$gh_no_endpoints "";\n[^}]*set \$gh_upstream shop_api_http;/);
    const cluster = shopCluster(
      service('shop', 'api'),
      service('shop', 'errors'),
      endpointSlice('shop', 'errors', ['10.0.0.9'], 8080),
      ingress({ name: 'api', host: 'api.com', annotations: { [`${P}default-backend`]: 'errors' }, paths: [{ path: '/', service: 'api' }] }),
    );
    const withBackend = renderNginxConf(buildModel(cluster, { ownership: DEFAULT_OWNERSHIP }).model, OPTS);
    expect(withBackend).toMatch(/set \$gh_no_endpoints "";\n\s+set \$gh_no_endpoints @gh_default_backend_[0-9a-f]{16};/);
  });

  test('plain HTTP needs no check: the placeholder answers 503', () => {
    expect(renderNginxConf(modelWith({}, []), OPTS)).not.toContain('rewrite_by_lua');
  });

  test('without the channel, nothing changes: endpoints are in nginx.conf and no Lua is loaded', () => {
    const { endpointChannel: _, ...plain } = OPTS;
    const text = renderNginxConf(modelWith({}, ['10.0.0.1']), plain);
    expect(text).toContain('server 10.0.0.1:8080 max_fails=0;');
    expect(text).not.toMatch(/lua|load_module/);
  });
});

describe('endpoint file', () => {
  test('holds hashed upstream keys, IP literals and ports only, deterministically', () => {
    const upstreams = [
      { name: 'b_svc_http', endpoints: [{ host: '[fd00::1]', port: 80 }, { host: '10.0.0.1', port: 8080 }] },
      { name: 'a_svc_http', endpoints: [] },
    ];
    const table = endpointTable(upstreams);
    expect(table.text).toBe(endpointTable([...upstreams].reverse()).text);
    const [header, ...lines] = table.text.trimEnd().split('\n');
    expect(header).toMatch(/^gatehouse-endpoints v1 [0-9a-f]{32}$/);
    expect(lines).toEqual([`${upstreamKey('a_svc_http')}`, `${upstreamKey('b_svc_http')} [fd00::1]:80 10.0.0.1:8080`].sort());
    expect(table.text).not.toContain('svc');
  });

  test.for([
    ['a DNS name', 'evil.example.com', 80],
    ['an injected line', '10.0.0.1\n0000000000000000000000000000000000000000 10.9.9.9', 80],
    ['an IPv6 zone id', '[fe80::1%eth0]', 80],
    ['port 0', '10.0.0.1', 0],
    ['port 65536', '10.0.0.1', 65536],
  ] as const)('drops %s', ([, host, port]) => {
    const table = endpointTable([{ name: 'u', endpoints: [{ host, port }] }]);
    expect(table.dropped).toBe(1);
    expect(table.text.split('\n')[1]).toBe(upstreamKey('u'));
  });

  test('caps a huge endpoint list', () => {
    const endpoints = Array.from({ length: MAX_ENDPOINTS + 10 }, (_, i) => ({ host: `10.0.${i >> 8}.${i & 255}`, port: 80 }));
    const table = endpointTable([{ name: 'u', endpoints }]);
    expect(table.dropped).toBe(10);
    expect(table.text.split('\n')[1]!.split(' ')).toHaveLength(MAX_ENDPOINTS + 1);
  });
});

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

describe('dynamic upstreams', () => {
  test.for([
    ['round robin over HTTP', {}, true],
    ['upstream-hash-by', { 'upstream-hash-by': '$request_uri' }, false],
    ['load-balance ewma', { 'load-balance': 'ewma' }, false],
    ['cookie affinity', { affinity: 'cookie' }, false],
    ['persistent cookie affinity', { affinity: 'cookie', 'affinity-mode': 'persistent' }, false],
    ['GRPC backend', { 'backend-protocol': 'GRPC' }, false],
    ['HTTPS backend', { 'backend-protocol': 'HTTPS' }, false],
  ] as const)('%s: dynamic = %s', ([, annotations, dynamic]) => {
    const model = modelWith(annotations, ['10.0.0.1']);
    expect(dynamicUpstreamNames(model).size).toBe(dynamic ? 1 : 0);
  });

  test('nginx.conf is byte-identical whatever the endpoints, empty included', () => {
    const texts = [['10.0.0.1'], ['10.0.0.1', '10.0.0.2'], []].map((a) => renderNginxConf(modelWith({}, a), OPTS));
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).not.toContain('10.0.0.1');
  });

  test('upstreams on the reload path still list their endpoints', () => {
    expect(renderNginxConf(modelWith({ 'load-balance': 'ewma' }, ['10.0.0.1']), OPTS)).toContain('server 10.0.0.1:8080 max_fails=0;');
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

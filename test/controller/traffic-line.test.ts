import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { MAX_PATH_LABEL, parseTrafficLine } from '../../src/controller/traffic-line.js';
import { TrafficMetrics } from '../../src/controller/traffic-metrics.js';
import { parseStubStatus } from '../../src/controller/traffic-nginx-status.js';
import { udpDropsOf } from '../../src/controller/traffic-receiver.js';

const GOOD = { ns: 'shop', ing: 'web', svc: 'web', path: '/api', status: '200', rt: '0.004', urt: '0.003', in: '120', out: '512' };
const line = (fields: Record<string, unknown>) => `<190>Nov 30 13:00:00 gh: ${JSON.stringify(fields)}`;

describe('parseTrafficLine', () => {
  test('reads a syslog datagram as nginx sends it', () => {
    expect(parseTrafficLine(Buffer.from(line(GOOD)))).toEqual({
      namespace: 'shop',
      ingress: 'web',
      service: 'web',
      path: '/api',
      status: '2xx',
      requestSeconds: 0.004,
      upstreamSeconds: 0.003,
      bytesIn: 120,
      bytesOut: 512,
    });
  });

  test.for([
    ['retries: the upstream times add up', '0.002, 0.003', 0.005],
    ['internal redirects too', '0.001 : 0.002', 0.003],
    ['no upstream reached', '-', undefined],
    ['nothing', '', undefined],
  ] as const)('upstream time: %s', ([, urt, expected]) => {
    expect(parseTrafficLine(line({ ...GOOD, urt }))?.upstreamSeconds).toBe(expected);
  });

  test('a long path label is cut, bounding the series', () => {
    expect(parseTrafficLine(line({ ...GOOD, path: `/${'a'.repeat(3000)}` }))?.path).toHaveLength(MAX_PATH_LABEL);
  });

  test.for([
    ['not JSON', '<190>Nov 30 13:00:00 gh: {"ns": '],
    ['no JSON at all', 'hello'],
    ['empty', ''],
    ['an array', '<1>x: [1,2]'],
    ['null', '<1>x: {null}'],
    ['a number where a string belongs', line({ ...GOOD, status: 200 })],
    ['a missing label', line({ ...GOOD, ns: undefined })],
    ['a namespace outside DNS labels', line({ ...GOOD, ns: 'Shop\n' })],
    ['an ingress name with a quote', line({ ...GOOD, ing: 'a"b' })],
    ['a path with characters escape.ts never writes', line({ ...GOOD, path: '/a b' })],
    ['a status outside 1xx-5xx', line({ ...GOOD, status: '999' })],
    ['a negative time', line({ ...GOOD, rt: '-1' })],
    ['a time in exponent form', line({ ...GOOD, rt: '1e308' })],
    ['bytes past 15 digits', line({ ...GOOD, out: '9'.repeat(20) })],
    ['a prototype key', '<1>x: {"__proto__": {"ns": "x"}}'],
    ['an oversized datagram', line({ ...GOOD, pad: 'x'.repeat(10_000) })],
    ['invalid UTF-8', Buffer.from([0x3c, 0x31, 0x3e, 0x7b, 0xff, 0xfe, 0x7d])],
  ] as const)('refuses %s', ([, input]) => {
    expect(parseTrafficLine(input)).toBeUndefined();
  });
});

describe('TrafficMetrics', () => {
  test('malformed lines are counted, never thrown', async () => {
    const registry = new Registry();
    const m = new TrafficMetrics(registry);
    for (const input of ['', '{', '\u0000', 'x'.repeat(100_000)]) m.record(parseTrafficLine(input));
    expect(await registry.getSingleMetricAsString('gatehouse_traffic_log_lines_total')).toContain('result="malformed"} 4');
  });

  test('label sets are capped: past the limit lines are counted as overflow, not stored', async () => {
    const registry = new Registry();
    const m = new TrafficMetrics(registry, 3);
    for (let i = 0; i < 50; i++) m.record(parseTrafficLine(line({ ...GOOD, path: `/p${i}` })));
    m.record(parseTrafficLine(line(GOOD)));
    expect(m.size).toBe(3);
    const text = await registry.getSingleMetricAsString('gatehouse_traffic_log_lines_total');
    expect(text).toContain('result="overflow"} 48');
    expect(text).toContain('result="accepted"} 3');
  });

  test('an existing series still counts once the cap is reached', async () => {
    const registry = new Registry();
    const m = new TrafficMetrics(registry, 1);
    m.record(parseTrafficLine(line(GOOD)));
    m.record(parseTrafficLine(line({ ...GOOD, path: '/other' })));
    m.record(parseTrafficLine(line(GOOD)));
    expect(await registry.getSingleMetricAsString('gatehouse_requests_total')).toContain('status="2xx"} 2');
  });
});

describe('nginx status and socket drops', () => {
  test('stub_status text', () => {
    expect(parseStubStatus('Active connections: 2 \nserver accepts handled requests\n 16 16 31 \nReading: 0 Writing: 1 Waiting: 1 \n')).toEqual({
      active: 2,
      accepted: 16,
      handled: 16,
      requests: 31,
      reading: 0,
      writing: 1,
      waiting: 1,
    });
    expect(parseStubStatus('<html>404</html>')).toBeUndefined();
  });

  test('drops of our socket from /proc/net/udp', () => {
    const proc = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      ' 1234: 0100007F:A1B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 17',
      ' 1235: 00000000:A1B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 98 2 0000000000000000 5',
    ].join('\n');
    expect(udpDropsOf(proc, 0xa1b2)).toBe(17);
    expect(udpDropsOf(proc, 1)).toBeUndefined();
  });
});

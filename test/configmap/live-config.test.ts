import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { CONFIGMAP_REFUSED_REASON, LiveGlobalConfig, type ObjectEventRecorder } from '../../src/configmap/live-config.js';
import { DEFAULT_GLOBAL_CONFIG } from '../../src/configmap/parse-configmap.js';
import type { ConfigMapObject } from '../../src/k8s/configmap-watch.js';

function fixture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  const events: { reason: string; type: string; message: string; name?: string }[] = [];
  const recorder: ObjectEventRecorder = {
    recordOn: async (o, type, reason, message) => void events.push({ reason, type, message, ...(o.metadata?.name ? { name: o.metadata.name } : {}) }),
  };
  return { live: new LiveGlobalConfig({ source: 'gatehouse/cfg', logger, recorder }), lines, events };
}

const cm = (rv: string, data: Record<string, string>): ConfigMapObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'gatehouse', name: 'cfg', resourceVersion: rv }, data });

describe('the configuration in force', () => {
  test('defaults until a ConfigMap is read; an absent ConfigMap is the defaults', () => {
    const { live } = fixture();
    expect(live.current).toBe(DEFAULT_GLOBAL_CONFIG);
    expect(live.update(undefined)).toEqual({ status: 'applied', config: DEFAULT_GLOBAL_CONFIG });
  });

  test('a good version applies; the same version again changes nothing', () => {
    const { live } = fixture();
    expect(live.update(cm('1', { 'proxy-read-timeout': '5' })).status).toBe('applied');
    expect(live.current.proxyReadTimeout).toBe(5);
    expect(live.update(cm('1', { 'proxy-read-timeout': '5' }))).toEqual({ status: 'unchanged' });
  });

  test('a bad value keeps the last good configuration, logs every problem and records a Warning Event on the ConfigMap', async () => {
    const { live, lines, events } = fixture();
    live.update(cm('1', { 'proxy-read-timeout': '5' }));
    expect(live.update(cm('2', { 'proxy-read-timeout': 'soon', 'keep-alive': '-3' })).status).toBe('refused');
    expect(live.current.proxyReadTimeout).toBe(5);
    await Promise.resolve();
    expect(events).toEqual([
      {
        type: 'Warning',
        reason: CONFIGMAP_REFUSED_REASON,
        name: 'cfg',
        message:
          'ConfigMap gatehouse/cfg refused, the last good configuration stays in force: keep-alive: invalid value "-3": must be whole seconds from 0 to 3600; proxy-read-timeout: invalid value "soon": must be whole seconds from 1 to 3600',
      },
    ]);
    expect(lines.find((l) => l['level'] === 50)?.['msg']).toContain('proxy-read-timeout: invalid value "soon"');
  });

  test('unknown keys are logged once per version as ignored', () => {
    const { live, lines } = fixture();
    live.update(cm('1', { 'enable-brotli': 'true' }));
    live.update(cm('1', { 'enable-brotli': 'true' }));
    expect(lines.filter((l) => String(l['msg']).includes('ignored'))).toHaveLength(1);
    expect(lines.find((l) => String(l['msg']).includes('ignored'))?.['keys']).toEqual(['enable-brotli']);
  });
});

describe('conflicts with the flags', () => {
  test('a ConfigMap valid alone but not with the flags is refused and the last good one stays', () => {
    const lines: string[] = [];
    const live = new LiveGlobalConfig({
      source: 'gatehouse/cfg',
      logger: pino({}, { write: (l: string) => void lines.push(l) }),
      conflicts: (g) => (g.useForwardedHeaders ? [{ key: 'use-forwarded-headers', message: 'use-forwarded-headers: not with --use-proxy-protocol' }] : []),
    });
    expect(live.update(cm('1', { 'keep-alive': '5' })).status).toBe('applied');
    expect(live.update(cm('2', { 'keep-alive': '6', 'use-forwarded-headers': 'true' }))).toEqual({
      status: 'refused',
      problems: [{ key: 'use-forwarded-headers', message: 'use-forwarded-headers: not with --use-proxy-protocol' }],
    });
    expect(live.current.keepAlive).toBe(5);
  });
});

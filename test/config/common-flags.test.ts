import { describe, expect, test } from 'vitest';
import { CONTROLLER_FLAGS, controllerConfigFrom } from '../../src/config/controller-config.js';
import { parseFlags } from '../../src/config/flags.js';
import { WEBHOOK_FLAGS, webhookConfigFrom } from '../../src/config/webhook-config.js';

const webhook = (args: string[]) => webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, ['--self-signed', ...args])).rules;
const controller = (args: string[]) => controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, args), {}).rules;

describe('--regex-redos', () => {
  test.for([
    ['webhook', webhook],
    ['controller', controller],
  ] as const)('%s: deny by default, warn when asked', ([, rules]) => {
    expect(rules([]).regexRedos).toBe('deny');
    expect(rules(['--regex-redos', 'warn']).regexRedos).toBe('warn');
  });

  test('refuses any other value', () => {
    expect(() => webhook(['--regex-redos', 'off'])).toThrow(/regex-redos/);
  });
});

describe('admission policy flags', () => {
  test.for([
    ['webhook', webhook],
    ['controller', controller],
  ] as const)('%s: enforce, no rule actions and gatehouse.dev/exempt by default', ([, rules]) => {
    expect(rules([]).policy).toEqual({ mode: 'enforce', actions: {}, exemptNamespaceLabel: 'gatehouse.dev/exempt' });
  });

  test('--mode, --rule-action (repeatable) and --exempt-namespace-label', () => {
    const args = ['--mode', 'audit', '--rule-action', 'backend-port=warn', '--rule-action', 'tls=off', '--exempt-namespace-label', 'team.example/legacy'];
    expect(webhook(args).policy).toEqual({ mode: 'audit', actions: { 'backend-port': 'warn', tls: 'off' }, exemptNamespaceLabel: 'team.example/legacy' });
  });

  test.for([
    [['--rule-action', 'backend-prot=warn'], /unknown rule "backend-prot"/],
    [['--rule-action', 'tls=ignore'], /the action must be one of deny, warn, audit, off/],
    [['--rule-action', 'tls'], /the action must be one of/],
    [['--mode', 'dryrun'], /mode/],
    [['--exempt-namespace-label', 'a b'], /not a label key/],
  ] as const)('refuses %j', ([args, reason]) => {
    expect(() => webhook([...args])).toThrow(reason);
  });

  test('--policy-file is read by the webhook', () => {
    expect(webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, ['--self-signed', '--policy-file', '/etc/gatehouse/policy.yaml'])).policyFile).toBe('/etc/gatehouse/policy.yaml');
  });
});

describe('--policy-file on the controller', () => {
  test('configures the webhook served with --webhook-listen', () => {
    const config = controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, ['--webhook-listen', ':8443', '--self-signed', '--policy-file', '/p.yaml']), {});
    expect(config.webhook?.policyFile).toBe('/p.yaml');
  });

  test('needs --webhook-listen', () => {
    expect(() => controller(['--policy-file', '/p.yaml'])).toThrow(/need --webhook-listen/);
  });
});

describe('--native-heap-trim-interval', () => {
  test.for([
    ['webhook', (args: string[]) => webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, ['--self-signed', ...args]))],
    ['controller', (args: string[]) => controllerConfigFrom(parseFlags(CONTROLLER_FLAGS, args), {})],
  ] as const)('%s: every 5 s by default, 0s turns it off', ([, config]) => {
    expect(config([]).nativeHeapTrimIntervalMs).toBe(5_000);
    expect(config(['--native-heap-trim-interval', '30s']).nativeHeapTrimIntervalMs).toBe(30_000);
    expect(config(['--native-heap-trim-interval', '0s']).nativeHeapTrimIntervalMs).toBe(0);
  });

  test('refuses what is not a duration', () => {
    expect(() => webhookConfigFrom(parseFlags(WEBHOOK_FLAGS, ['--self-signed', '--native-heap-trim-interval', '5']))).toThrow(/native-heap-trim-interval/);
  });
});

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

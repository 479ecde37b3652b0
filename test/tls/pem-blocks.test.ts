import { describe, expect, test } from 'vitest';
import { pemBlocks } from '../../src/tls/pem-blocks.js';

const block = (label: string, body = 'AAAA') => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

describe('pemBlocks', () => {
  test('reads blocks in order, with their labels, ignoring text between them', () => {
    const result = pemBlocks(`Bag Attributes\n${block('CERTIFICATE')}subject=CN=x\r\n${block('PRIVATE KEY', 'BBBB')}`);
    expect(result).toEqual({ ok: true, blocks: [{ label: 'CERTIFICATE', text: block('CERTIFICATE') }, { label: 'PRIVATE KEY', text: block('PRIVATE KEY', 'BBBB') }] });
  });

  test('CRLF line ends become LF', () => {
    expect(pemBlocks(block('CERTIFICATE').replaceAll('\n', '\r\n'))).toEqual({ ok: true, blocks: [{ label: 'CERTIFICATE', text: block('CERTIFICATE') }] });
  });

  test('no block at all is not a problem here (the caller says what was expected)', () => {
    expect(pemBlocks('not pem')).toEqual({ ok: true, blocks: [] });
  });

  test.for<[string, string, string]>([
    ['a BEGIN without its END', '-----BEGIN CERTIFICATE-----\nAAAA\n', 'has a CERTIFICATE block without its END line'],
    ['an END of another label', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n', 'has a CERTIFICATE block ended by another END line'],
    ['a BEGIN inside a block', `-----BEGIN CERTIFICATE-----\nAAAA\n${block('CERTIFICATE')}`, 'has a CERTIFICATE block that is not ended before the next BEGIN line'],
    ['an END without a BEGIN', '-----END CERTIFICATE-----\n', 'has an END line without its BEGIN line'],
    ['a malformed BEGIN line', '-----BEGIN certificate"; pwned-----\nAAAA\n', 'has a malformed BEGIN line'],
  ])('%s is a problem', ([, pem, problem]) => {
    expect(pemBlocks(pem)).toEqual({ ok: false, problem });
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Secret } from '../../src/k8s/types.js';
import { HTPASSWD_MAX_BYTES, htpasswdFromSecret } from '../../src/nginx/htpasswd.js';

const APR1 = '$apr1$saltsalt$bHTbtgomzkPDQ8nyKRSUj.';
const SHA512 = '$6$saltsaltsalt$qlIFi5uFOy7oWlzYo2.ZGGQQpB8YLxRqMbAf7IBOjsmxX/KemCHbrVGVYoQk.uCt31B9wq7hQBur66LrptxiN/';
const SHA256 = '$5$abcdefgh$sI6g8tHKrJ6RX7w.YoN9B7a/5wK5jYEOMmMnt3tPl0/';
const MD5 = '$1$abcdefgh$znAnv9M.XU2pRYfmSs46h/';
const BCRYPT = '$2y$10$abcdefghijklmnopqrstuu5yV2vA2ZyK0Vq0n1V3WmB6H6m6gH7yW';
const SHA = `{SHA}${createHash('sha1').update('pw').digest('base64')}`;

function secret(data: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop', name: 's' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
}

describe('auth-file: key auth holds htpasswd lines', () => {
  test.for([
    ['$apr1$', `alice:${APR1}`],
    ['SHA-512 crypt', `alice:${SHA512}`],
    ['SHA-256 crypt', `alice:${SHA256}`],
    ['MD5 crypt', `alice:${MD5}`],
    ['bcrypt', `alice:${BCRYPT}`],
    ['{SHA}', `alice:${SHA}`],
    ['DES crypt', 'alice:abJnggxhB/yWI'],
    ['an e-mail as user name', `alice@example.com:${APR1}`],
  ])('%s is accepted', ([, line]) => {
    const result = htpasswdFromSecret(secret({ auth: `${line}\n` }), 'auth-file');
    expect(result).toMatchObject({ ok: true, users: 1, file: { content: `${line}\n` } });
  });

  test('comments, blank lines and CRLF are dropped; lines are sorted; the name is a content hash', () => {
    const result = htpasswdFromSecret(secret({ auth: `# staff\r\nbob:${SHA}\r\n\r\nalice:${APR1}` }), 'auth-file');
    expect(result).toMatchObject({ ok: true, file: { content: `alice:${APR1}\nbob:${SHA}\n`, file: expect.stringMatching(/^[0-9a-f]{32}\.htpasswd$/) } });
  });

  test.for([
    ['no key auth', { other: 'x' }, 'has no key auth'],
    ['no user', { auth: '# nobody\n' }, 'key auth holds no user'],
    ['a line without a colon', { auth: 'alice' }, 'key auth, line 1: not user:hash'],
    ['a password in clear', { auth: 'alice:secret' }, 'key auth, line 1: the password of user "alice" is not a hash nginx can check'],
    ['{PLAIN}', { auth: 'alice:{PLAIN}secret' }, 'is not a hash nginx can check'],
    ['a third field', { auth: `alice:${APR1}:comment` }, 'is not a hash nginx can check'],
    ['a carriage return inside a line', { auth: `alice:${APR1}\rx` }, 'is not a hash nginx can check'],
    ['a NUL', { auth: `alice\u0000:${APR1}` }, 'the user name must be printable ASCII'],
    ['nginx syntax after the hash', { auth: `alice:${APR1}; }` }, 'is not a hash nginx can check'],
    ['a space in the user name', { auth: `al ice:${APR1}` }, 'the user name must be printable ASCII'],
    ['a user twice', { auth: `alice:${APR1}\nalice:${SHA}` }, 'names a user twice'],
  ] as const)('%s is refused', ([, data, reason]) => {
    const result = htpasswdFromSecret(secret(data), 'auth-file');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  test('a Secret larger than the bound is refused before it is decoded', () => {
    const line = `alice:${APR1}\n`;
    const result = htpasswdFromSecret(secret({ auth: line.repeat(Math.ceil(HTPASSWD_MAX_BYTES / line.length) + 1) }), 'auth-file');
    expect(result).toEqual({ ok: false, reason: `is larger than ${HTPASSWD_MAX_BYTES} bytes` });
  });
});

describe('auth-map: each key a user, its value the hash', () => {
  test('accepted, one line per key', () => {
    expect(htpasswdFromSecret(secret({ bob: SHA, alice: `${APR1}\n` }), 'auth-map')).toMatchObject({ ok: true, file: { content: `alice:${APR1}\nbob:${SHA}\n` } });
  });

  test.for([
    ['a value in clear', { alice: 'secret' }, 'key "alice": the password of user "alice" is not a hash'],
    ['a newline injecting a second user', { alice: `${APR1}\nmallory:${SHA}` }, 'is not a hash'],
    ['no key', {}, 'holds no user'],
  ] as const)('%s is refused', ([, data, reason]) => {
    const result = htpasswdFromSecret(secret(data), 'auth-map');
    expect(!result.ok && result.reason).toContain(reason);
  });
});

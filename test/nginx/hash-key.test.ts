import { describe, expect, test } from 'vitest';
import { hashKeyProblem } from '../../src/nginx/hash-key.js';
import { escapeFor } from '../../src/nginx/escape.js';

describe('hashKeyProblem', () => {
  test.for(['$request_uri', '$remote_addr', '$binary_remote_addr', '$http_x_user_id', '$cookie_session', '$arg_tenant', '$host$request_uri', 'v1-$uri', '$scheme://$host'])(
    'accepts %s',
    (key) => {
      expect(hashKeyProblem(key)).toBeUndefined();
      expect(escapeFor('hash-key', key)).toBe(key);
    },
  );

  test.for([
    ['constant', 'at least one request variable'],
    ['${request_uri}', 'without braces'],
    ['$gh_affinity', 'not a request variable'],
    ['$upstream_addr', 'not a request variable'],
    ['$http_', 'not a request variable'],
    ['$request_uri;', 'may contain only'],
    ['$request_uri "x"', 'may contain only'],
    ['$Request_URI', 'may contain only'],
    ['', '1 to 256'],
    [`$uri${'a'.repeat(300)}`, '1 to 256'],
  ] as const)('refuses %j (%s)', ([key, why]) => {
    expect(hashKeyProblem(key)).toContain(why);
    expect(escapeFor('hash-key', key)).toBeUndefined();
  });
});

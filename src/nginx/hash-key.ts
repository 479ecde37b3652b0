// The key of an upstream's consistent hash (`upstream-hash-by`): literal text and request
// variables, as ingress-nginx documents (`$request_uri`, `$remote_addr$http_x_user`). Only
// variables that describe the request are allowed: never one Gatehouse sets (`$gh_*`), nor one
// whose evaluation has side effects or reads the response.
// https://nginx.org/en/docs/http/ngx_http_upstream_module.html#hash

/** Request variables a hash key may use, by exact name. */
const REQUEST_VARIABLES = new Set([
  'args',
  'binary_remote_addr',
  'host',
  'query_string',
  'remote_addr',
  'remote_user',
  'request_method',
  'request_uri',
  'scheme',
  'server_name',
  'uri',
]);

/** Families of request variables: a header, a cookie or a query argument by name. */
const REQUEST_VARIABLE_PREFIXES = ['http_', 'cookie_', 'arg_'];

/** Literal text and `$name` variables; `${name}` is not accepted (braces are nginx syntax). */
const SHAPE = /^(?:\$[a-z_][a-z0-9_]*|[A-Za-z0-9_.:/-])+$/;

/** Longest key accepted: it is one parameter of one directive. */
export const HASH_KEY_MAX_LENGTH = 256;

/** Why `key` cannot be an upstream hash key, or undefined when it can. */
export function hashKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > HASH_KEY_MAX_LENGTH) return `must be 1 to ${HASH_KEY_MAX_LENGTH} characters`;
  if (!SHAPE.test(key)) return 'may contain only letters, digits, "_.:/-" and $variables written without braces';
  const variables = [...key.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!);
  if (variables.length === 0) return 'must use at least one request variable such as $request_uri (a constant key sends every request to one endpoint)';
  for (const name of variables) {
    const known = REQUEST_VARIABLES.has(name) || REQUEST_VARIABLE_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length);
    if (!known) return `uses $${name}, which is not a request variable Gatehouse allows (${[...REQUEST_VARIABLES].map((v) => `$${v}`).join(', ')}, $http_*, $cookie_*, $arg_*)`;
  }
  return undefined;
}

// nginx reads its configuration through a buffer of NGX_CONF_BUFFER (4096) bytes, and one
// parameter must fit in it together with its opening quote's partner and the character after
// it (ngx_conf_read_token, src/core/ngx_conf_file.c, moves a token that straddles two reads to
// the start of the buffer, and the token only ends at the space or `;` after the closing quote);
// a longer one fails `nginx -t` for the whole configuration: "too long parameter". Measured with
// nginx 1.22 at every offset in the file: 4093 bytes between quotes always pass, 4094 followed by
// ` always;` never do. Every parameter Gatehouse builds from cluster data whose
// length the catalog does not already bound well below this is judged here, by the webhook and by
// the controller alike. https://github.com/nginx/nginx/blob/release-1.22.1/src/core/ngx_conf_file.c

/** The longest parameter, in bytes between its quotes, that nginx reads wherever it starts in the file. */
export const NGINX_MAX_PARAMETER_LENGTH = 4093;

/**
 * Why `parameter` (as written between the quotes in nginx.conf) cannot be rendered, completing
 * "renders as …", or undefined when nginx can read it.
 */
export function parameterLengthProblem(parameter: string): string | undefined {
  const bytes = Buffer.byteLength(parameter, 'utf8');
  if (bytes <= NGINX_MAX_PARAMETER_LENGTH) return undefined;
  return `${bytes} characters long in nginx.conf; nginx reads at most ${NGINX_MAX_PARAMETER_LENGTH} per parameter`;
}

// The real nginx, except that `nginx -t` refuses any configuration naming REFUSED_MARK — as it
// refuses an input nobody foresaw. The quarantine's tests need such an input, and every real one
// found so far got fixed (a 1024-bit RSA key in a TLS Secret, a regex named capture `(?<host>…)`,
// a host name of 239+ characters that did not fit the server_names_hash bucket: each failed
// `nginx -t` until the renderer learned to refuse or fit it). Serving, reloads, pid files and
// process titles are the real nginx's: the script execs it for everything but the refusal.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NGINX_BINARY } from './harness.js';

/** A host containing this makes `nginx -t` fail. */
export const REFUSED_MARK = 'refused-by-nginx';

/** nginx's error line for a refused configuration (what Events and /readyz show). */
export const REFUSED_ERROR = `[emerg] server name with "${REFUSED_MARK}" refused by the test's nginx`;

/** Writes the wrapper into `dir` and returns its path (give it as --nginx-binary). */
export async function refusingNginx(dir: string): Promise<string> {
  const path = join(dir, 'refusing-nginx');
  const script = `#!/bin/sh
# The arguments ProcessNginxRunner passes: -t -q -p DIR/ -e stderr -c FILE for a test.
test=no; conf=; prev=
for a in "$@"; do
  [ "$a" = "-t" ] && test=yes
  [ "$prev" = "-c" ] && conf=$a
  prev=$a
done
if [ "$test" = yes ] && [ -n "$conf" ] && line=$(grep -n -m1 -F '${REFUSED_MARK}' "$conf"); then
  echo "$(date '+%Y/%m/%d %H:%M:%S') ${REFUSED_ERROR.replace(/"/g, '\\"')} in $conf:\${line%%:*}" >&2
  echo "nginx: configuration file $conf test failed" >&2
  exit 1
fi
exec ${NGINX_BINARY} "$@"
`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

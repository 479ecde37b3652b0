// Writes the committed development certificates in certs/ with Gatehouse's own
// `certgen create --out-dir` code: a CA and a serving certificate for localhost, 127.0.0.1 and ::1.
// DEV ONLY: the private keys are public (they are in git).
//
//   node scripts/gen-dev-certs.ts [DIR]      (default certs/; a no-op while the files are valid)
//
// The same as `gatehouse certgen create --out-dir certs --host localhost,127.0.0.1,::1
// --ca-validity 10y --cert-validity 10y` once built; this script needs no build.
import { registerHooks } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEV_CERTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'certs');
export const DEV_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];
/** Ten years: committed certificates should not expire under a working checkout. */
export const DEV_VALIDITY_MS = 10 * 365 * 86_400_000;

/** Issues (or keeps) the dev CA and serving certificate in `dir`. */
export async function generateDevCerts(dir: string = DEV_CERTS_DIR): Promise<{ changed: boolean; message: string }> {
  const [{ runCertgenCreate }, { CREATE_DEFAULTS }, { pino }] = await Promise.all([
    import('../src/certgen/create.js'),
    import('../src/certgen/options.js'),
    import('pino'),
  ]);
  return runCertgenCreate(
    { ...CREATE_DEFAULTS, hosts: DEV_HOSTS, outDir: dir, caValidityMs: DEV_VALIDITY_MS, certValidityMs: DEV_VALIDITY_MS },
    { logger: pino({ level: 'silent' }) },
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Node runs the TypeScript sources directly (type stripping), but they import each other with
  // the `.js` suffixes tsc wants; map a missing `./x.js` to `./x.ts`.
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (err) {
        if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
        throw err;
      }
    },
  });
  const result = await generateDevCerts(process.argv[2] ? resolve(process.argv[2]) : DEV_CERTS_DIR);
  process.stdout.write(`${result.message}\n`);
}

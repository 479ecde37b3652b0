// Node --import hook for tests: runs the TypeScript sources directly (a missing `./x.js` maps to
// `./x.ts`, as tsc's import suffixes want) and reports on stderr every import of
// @kubernetes/client-node, so a test can prove a command never loads it.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    if (specifier === '@kubernetes/client-node') process.stderr.write(`CLIENT-NODE-LOADED by ${context.parentURL}\n`);
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
      throw err;
    }
  },
});

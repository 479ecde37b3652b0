/** The oldest Node.js major Gatehouse is built and tested on (package.json `engines`, .nvmrc). */
export const MIN_NODE_MAJOR = 24;

/** One line saying why this Node.js cannot run Gatehouse, or undefined when it can. */
export function nodeTooOld(version: string, execPath: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? 0);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return (
    `gatehouse needs Node.js ${MIN_NODE_MAJOR} or newer; this is ${version} (${execPath}). ` +
    'Install Node.js 24 LTS, or run it through npm (npm start, npx gatehouse), which uses Node 24 from the npm package node@24.'
  );
}

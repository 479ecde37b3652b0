import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

// These tests read the Dockerfile's instructions and check its shape; test/image/ runs the image
// that scripts/build-image.sh builds from it.

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** Index of the stage (FROM) it belongs to. */
  readonly stage: number;
}

/** Instructions with `\` continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      logical.push(current);
      current = '';
    }
  }
  let stage = -1;
  return logical.map((l) => {
    const [keyword = '', ...rest] = l.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stage++;
    return { keyword: keyword.toUpperCase(), args: rest.join(' '), stage };
  });
}

const dockerfile = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const dockerignore = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = dockerfile.filter((i) => i.keyword === 'FROM');
const finalStage = stages.length - 1;
const inStage = (stage: number, keyword: string) => dockerfile.filter((i) => i.stage === stage && i.keyword === keyword);
const defaultArg = (name: string) => dockerfile.find((i) => i.keyword === 'ARG' && i.args.startsWith(`${name}=`))?.args.split('=')[1];

describe('Dockerfile', () => {
  test('has a build stage and a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.args).toMatch(/ AS build$/);
  });

  test('builds and runs on node:24-bookworm-slim', () => {
    const base = (from: Instruction) => from.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_m, name: string) => defaultArg(name) ?? '');
    for (const from of stages) expect(base(from)).toBe('node:24-bookworm-slim');
  });

  test('the build stage installs with npm ci and compiles', () => {
    const runs = inStage(0, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs).toContain('npm run build');
  });

  test('the runtime stage has production dependencies only, and Debian’s nginx', () => {
    const runs = inStage(finalStage, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /npm ci --omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /apt-get install -y --no-install-recommends nginx/.test(r))).toBe(true);
  });

  test('keeps optional dependencies (koffi’s binary for the platform is one) and no apt cache', () => {
    const runs = inStage(finalStage, 'RUN').map((r) => r.args);
    expect(runs.some((r) => /--omit=optional|--no-optional/.test(r))).toBe(false);
    const apt = runs.find((r) => r.includes('apt-get install'))!;
    expect(apt).toMatch(/apt-get clean && rm -rf \/var\/lib\/apt\/lists\/\*$/);
  });

  test('a proxy CA for the build is an ARG of the RUN steps, never an ENV of the image', () => {
    for (const stage of stages.keys()) expect(inStage(stage, 'ARG').map((a) => a.args)).toContain('NODE_EXTRA_CA_CERTS=');
    expect(dockerfile.filter((i) => i.keyword === 'ENV' && /NODE_EXTRA_CA_CERTS|NODE_TLS/.test(i.args))).toEqual([]);
  });

  test('the runtime stage takes only compiled code from the build stage', () => {
    const fromBuild = inStage(finalStage, 'COPY').filter((c) => c.args.includes('--from='));
    expect(fromBuild.map((c) => c.args)).toEqual(['--from=build /app/dist/src ./dist/src']);
  });

  test('runs as a numeric non-root user', () => {
    const users = inStage(finalStage, 'USER');
    const user = users[users.length - 1]?.args ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  test('has ENTRYPOINT ["gatehouse"], linked to the compiled CLI', () => {
    const entrypoints = dockerfile.filter((i) => i.keyword === 'ENTRYPOINT');
    expect(JSON.parse(entrypoints[entrypoints.length - 1]!.args)).toEqual(['gatehouse']);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { gatehouse: string } };
    expect(inStage(finalStage, 'RUN').some((r) => r.args.includes(`ln -s /app/${pkg.bin.gatehouse} /usr/local/bin/gatehouse`))).toBe(true);
    // A node shebang (with -S when it passes V8 flags): the symlink on PATH must run under node.
    expect(readFileSync('src/cli.ts', 'utf8')).toMatch(/^#!\/usr\/bin\/env (-S )?node[ \n]/);
  });

  test('copies no certificates, keys or environment files, and never the whole context', () => {
    for (const copy of dockerfile.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      const sources = copy.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
      for (const s of sources) expect(s, copy.args).not.toMatch(/^\.\/?$|certs|\.key$|\.pem$|\.crt$|\.env/);
    }
    expect(dockerfile.filter((i) => i.keyword === 'ADD')).toEqual([]);
  });

  test('declares no secret-looking ARG or ENV', () => {
    for (const i of dockerfile.filter((d) => d.keyword === 'ARG' || d.keyword === 'ENV')) expect(i.args).not.toMatch(/PASSWORD|TOKEN|SECRET|_KEY\b/i);
  });
});

describe('.dockerignore', () => {
  test.for(['certs', '.git', 'node_modules', 'test', '**/*.key', '**/*.pem', '.env'])('excludes %s', (entry) => {
    expect(dockerignore).toContain(entry);
  });
});

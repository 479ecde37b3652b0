import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INSTALLS, MANIFESTS_DIR, kustomizationFiles, kustomizationResources, renderInstall } from '../../scripts/render-install.js';
import { loadInstall } from './load.js';

/** Every directory under manifests/ (itself included). */
function directories(dir: string): string[] {
  return [dir, ...readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? directories(join(dir, e)) : []))];
}

const rendered = new Set(INSTALLS.map((i) => i.file));

describe.for(INSTALLS.map((i) => [i.file, i] as const))('manifests/%s', ([file, install]) => {
  test(`is in sync with ${relative(MANIFESTS_DIR, install.dir) || '.'}/kustomization.yaml (run npm run manifests)`, () => {
    expect(loadInstall(file).text).toBe(renderInstall(install));
  });
});

describe('the kustomize layouts', () => {
  test.for(directories(MANIFESTS_DIR).map((d) => [relative(MANIFESTS_DIR, d) || '.', d] as const))(
    'manifests/%s has a kustomization listing every manifest file in it',
    ([, dir]) => {
      const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !rendered.has(f));
      const listed = kustomizationResources(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).filter((r) => !statSync(join(dir, r)).isDirectory());
      expect(listed.sort()).toEqual(files.sort());
    },
  );

  // monitoring/ is an opt-in layer: its PrometheusRule needs the Prometheus Operator's CRD.
  test('both installs share base/, and every file but the opt-in monitoring/ belongs to at least one install', () => {
    const [webhook, controller] = INSTALLS.map((i) => kustomizationFiles(i.dir).map((f) => relative(MANIFESTS_DIR, f)));
    const base = kustomizationFiles(join(MANIFESTS_DIR, 'base')).map((f) => relative(MANIFESTS_DIR, f));
    expect(webhook!.slice(0, base.length)).toEqual(base);
    expect(controller!.slice(0, base.length)).toEqual(base);
    const everyFile = directories(MANIFESTS_DIR).filter((d) => relative(MANIFESTS_DIR, d) !== 'monitoring').flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !rendered.has(f))
        .map((f) => relative(MANIFESTS_DIR, join(d, f))),
    );
    expect(new Set([...webhook!, ...controller!])).toEqual(new Set(everyFile));
  });
});

describe('kustomizationResources', () => {
  test.for([
    ['a namespace transformer', 'sortOptions: {order: fifo}\nnamespace: x\nresources: [a.yaml]', /uses namespace/],
    ['patches', 'sortOptions: {order: fifo}\npatches: []\nresources: [a.yaml]', /uses patches/],
    ['kustomize’s default kind ordering', 'resources: [a.yaml]', /sortOptions.order: fifo/],
  ] as const)('refuses %s, which plain concatenation would not reproduce', ([, text, reason]) => {
    expect(() => kustomizationResources(text)).toThrow(reason);
  });
});

describe('kustomizationFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-kustomize-'));
  const kustomization = (resources: string[]) => `sortOptions: {order: fifo}\nresources: [${resources.join(', ')}]\n`;
  const files: Record<string, string> = {
    'base/kustomization.yaml': kustomization(['b.yaml', 'a.yaml']),
    'over/kustomization.yaml': kustomization(['c.yaml', '../base', 'd.yaml']),
    'twice/kustomization.yaml': kustomization(['../base', '../base/a.yaml']),
    'base/a.yaml': '',
    'base/b.yaml': '',
    'over/c.yaml': '',
    'over/d.yaml': '',
  };
  beforeAll(() => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('expands a directory entry in place, in its own listed order', () => {
    expect(kustomizationFiles(join(dir, 'over')).map((f) => relative(dir, f))).toEqual(['over/c.yaml', 'base/b.yaml', 'base/a.yaml', 'over/d.yaml']);
  });

  test('refuses a file reached twice, as kustomize refuses an object added twice', () => {
    expect(() => kustomizationFiles(join(dir, 'twice'))).toThrow(/listed twice/);
  });
});

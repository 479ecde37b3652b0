import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { INSTALL_FILE, MANIFESTS_DIR, kustomizationResources, renderInstall } from '../../scripts/render-install.js';
import { installText } from './load.js';

const kustomization = readFileSync(join(MANIFESTS_DIR, 'kustomization.yaml'), 'utf8');

describe('manifests/install.yaml', () => {
  test('is in sync with the kustomize base (run node scripts/render-install.ts)', () => {
    expect(installText).toBe(renderInstall());
  });

  test('the kustomize base lists every manifest file in the directory', () => {
    const files = readdirSync(MANIFESTS_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && f !== INSTALL_FILE);
    expect([...kustomizationResources(kustomization)].sort()).toEqual(files.sort());
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

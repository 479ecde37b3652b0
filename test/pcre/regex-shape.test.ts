import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { jsBacktrackingEquivalent } from '../../src/pcre/pcre-to-js.js';
import { regexShape } from '../../src/pcre/regex-shape.js';

const shape = (pcre: string) => regexShape(jsBacktrackingEquivalent(pcre)!);

describe('ways to match one prefix', () => {
  test.for([
    { pcre: '^/app', ways: 1 },
    { pcre: '^/app(/|$)(.*)', ways: 4 },
    { pcre: '^/(jpg|jpeg|png|gif)$', ways: 4 },
    { pcre: '^/a?b?', ways: 4 },
    { pcre: '^/[a-z]{1,63}', ways: 63 },
    { pcre: '^/(a|b){2}', ways: 4 },
    { pcre: `^/${'(a|a)'.repeat(30)}b`, ways: 2 ** 30 },
    { pcre: `^/${'a?'.repeat(24)}${'a'.repeat(24)}`, ways: 2 ** 24 },
  ])('$pcre: $ways', ({ pcre, ways }) => {
    expect(shape(pcre).ways).toBe(ways);
  });

  test('caps at MAX_SAFE_INTEGER', () => {
    expect(shape('^/(a|b|c){1,100}').ways).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('plainly linear', () => {
  const cases = [
    { pcre: '^/app(/|$)(.*)', linear: true },
    { pcre: '^/something', linear: true },
    { pcre: '^/v1/[^/]+$', linear: true },
    { pcre: '^/(?:a|b)x.*', linear: true },
    { pcre: '^/api/v[0-9]+/(.*)', linear: false }, // two repeats
    { pcre: '^/x(a|aa)+$', linear: false }, // a repeated group
    { pcre: '^/a|.*x', linear: false }, // a branch without ^
    { pcre: '^/(a)\\1.*', linear: false }, // back-reference
    { pcre: '^/(?=a).*', linear: false }, // lookahead
  ];
  test.for(cases)('$pcre: $linear', ({ pcre, linear }) => {
    expect(shape(pcre).plainlyLinear).toBe(linear);
  });

  // The shortcut must never call safe what the full analysis would not.
  const { checkSync } = createRequire(import.meta.url)('recheck') as { checkSync: (s: string, f: string, p: object) => { status: string } };
  test.for(cases.filter((c) => c.linear))('recheck agrees that $pcre is safe', ({ pcre }) => {
    const previous = process.env['RECHECK_SYNC_BACKEND'];
    process.env['RECHECK_SYNC_BACKEND'] = 'pure';
    try {
      expect(checkSync(jsBacktrackingEquivalent(pcre)!, 'is', { timeout: 10_000 }).status).toBe('safe');
    } finally {
      if (previous === undefined) delete process.env['RECHECK_SYNC_BACKEND'];
      else process.env['RECHECK_SYNC_BACKEND'] = previous;
    }
  });
});

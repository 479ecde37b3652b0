import koffi from 'koffi';
import { describe, expect, test } from 'vitest';
import { loadPcre2, PCRE2_CASELESS, pcre2Compile } from '../../src/pcre/pcre2.js';

describe('pcre2Compile', () => {
  test('reports the capture count of a valid pattern', () => {
    expect(pcre2Compile('/app(/|$)(.*)', 0)).toEqual({ ok: true, captureCount: 2, names: [] });
  });

  test('reports the error message, byte offset and code of an invalid pattern', () => {
    expect(pcre2Compile('/app(', 0)).toEqual({ ok: false, message: 'missing closing parenthesis', byteOffset: 5, errorCode: 114 });
  });

  test('counts the offset in UTF-8 bytes', () => {
    const result = pcre2Compile('/é(', 0);
    expect(result.ok === false && result.byteOffset).toBe(4);
  });

  test('accepts the empty pattern instead of treating it as NULL', () => {
    expect(pcre2Compile('', 0)).toEqual({ ok: true, captureCount: 0, names: [] });
  });

  test('accepts PCRE2_CASELESS', () => {
    expect(pcre2Compile('abc', PCRE2_CASELESS)).toEqual({ ok: true, captureCount: 0, names: [] });
  });

  test('reads the names of named groups in every PCRE2 spelling, as nginx does', () => {
    expect(pcre2Compile("/(?<host>[a-z]+)/(?P<Id>\\d+)/(?'v'x)(y)", 0)).toEqual({ ok: true, captureCount: 4, names: ['Id', 'host', 'v'] });
  });

  test('gives independent answers across thousands of compile/free cycles', () => {
    for (let i = 0; i < 5_000; i++) {
      const groups = i % 3;
      expect(pcre2Compile(`/p${i}${'(x)'.repeat(groups)}`, PCRE2_CASELESS)).toEqual({ ok: true, captureCount: groups, names: [] });
    }
  });
});

describe('native memory', () => {
  // glibc's count of bytes in use on the main heap (mallinfo2(3)), where libpcre2 allocates.
  const libc = koffi.load('libc.so.6');
  const MallInfo2 = koffi.struct('gatehouse_mallinfo2', {
    arena: 'size_t', ordblks: 'size_t', smblks: 'size_t', hblks: 'size_t', hblkhd: 'size_t',
    usmblks: 'size_t', fsmblks: 'size_t', uordblks: 'size_t', fordblks: 'size_t', keepcost: 'size_t',
  });
  const mallinfo2 = libc.func('mallinfo2', MallInfo2, []);
  const heapInUse = (): number => {
    const info = mallinfo2() as { uordblks: number; hblkhd: number };
    return info.uordblks + info.hblkhd;
  };

  test('frees the compiled code of every pattern: 2,000 compilations of 8 KB patterns leave the C heap where it was', () => {
    // Each compiled pattern takes more than 8 KB of C heap: kept, they would add over 16 MB.
    const pattern = (i: number) => `^/${i}/${'(a|b)[c-e]x'.repeat(700)}`;
    for (let i = 0; i < 50; i++) pcre2Compile(pattern(i), PCRE2_CASELESS); // warm up koffi's own buffers
    const before = heapInUse();
    for (let i = 0; i < 2_000; i++) expect(pcre2Compile(pattern(i), PCRE2_CASELESS).ok).toBe(true);
    expect(heapInUse() - before).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('loadPcre2', () => {
  test('throws an error naming the library when it cannot be loaded', () => {
    expect(() => loadPcre2('libgatehouse-no-such-library.so.0')).toThrow(
      /cannot load libgatehouse-no-such-library\.so\.0 through koffi \(on Debian install the libpcre2-8-0 package\)/,
    );
  });
});

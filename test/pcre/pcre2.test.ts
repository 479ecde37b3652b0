import { describe, expect, test } from 'vitest';
import { loadPcre2, PCRE2_CASELESS, pcre2Compile } from '../../src/pcre/pcre2.js';

describe('pcre2Compile', () => {
  test('reports the capture count of a valid pattern', () => {
    expect(pcre2Compile('/app(/|$)(.*)', 0)).toEqual({ ok: true, captureCount: 2 });
  });

  test('reports the error message, byte offset and code of an invalid pattern', () => {
    expect(pcre2Compile('/app(', 0)).toEqual({ ok: false, message: 'missing closing parenthesis', byteOffset: 5, errorCode: 114 });
  });

  test('counts the offset in UTF-8 bytes', () => {
    const result = pcre2Compile('/é(', 0);
    expect(result.ok === false && result.byteOffset).toBe(4);
  });

  test('accepts the empty pattern instead of treating it as NULL', () => {
    expect(pcre2Compile('', 0)).toEqual({ ok: true, captureCount: 0 });
  });

  test('accepts PCRE2_CASELESS', () => {
    expect(pcre2Compile('abc', PCRE2_CASELESS)).toEqual({ ok: true, captureCount: 0 });
  });

  test('gives independent answers across thousands of compile/free cycles', () => {
    for (let i = 0; i < 5_000; i++) {
      const groups = i % 3;
      expect(pcre2Compile(`/p${i}${'(x)'.repeat(groups)}`, PCRE2_CASELESS)).toEqual({ ok: true, captureCount: groups });
    }
  });
});

describe('loadPcre2', () => {
  test('throws an error naming the library when it cannot be loaded', () => {
    expect(() => loadPcre2('libgatehouse-no-such-library.so.0')).toThrow(
      /cannot load libgatehouse-no-such-library\.so\.0 through koffi \(on Debian install the libpcre2-8-0 package\)/,
    );
  });
});

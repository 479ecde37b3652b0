// Binding to the system's libpcre2-8 through koffi: the very library Debian's nginx links, so a
// pattern is judged exactly as `nginx -t` would judge it (JavaScript's RegExp disagrees with PCRE
// on lookbehind, possessive quantifiers, atomic groups, \p names, inline verbs...).
// API: https://www.pcre.org/current/doc/html/pcre2api.html
import { createRequire } from 'node:module';

/** Soname of the 8-bit PCRE2 library (Debian package libpcre2-8-0). */
export const PCRE2_LIBRARY = 'libpcre2-8.so.0';

/** Compile option bits from pcre2.h. */
export const PCRE2_CASELESS = 0x00000008;
export const PCRE2_MULTILINE = 0x00000400;

/** pcre2_pattern_info() keys from pcre2.h. */
const PCRE2_INFO_CAPTURECOUNT = 4;
const PCRE2_INFO_NAMECOUNT = 17;
const PCRE2_INFO_NAMEENTRYSIZE = 18;
const PCRE2_INFO_NAMETABLE = 19;
const ERROR_BUFFER_SIZE = 256;

/** Outcome of compiling one pattern. `offset` counts bytes of the UTF-8 pattern, as PCRE2 does. */
export type Pcre2Result =
  /** `names`: the named groups, as nginx reads them to create one variable each. */
  | { readonly ok: true; readonly captureCount: number; readonly names: readonly string[] }
  | { readonly ok: false; readonly message: string; readonly byteOffset: number; readonly errorCode: number };

/** A loaded libpcre2-8. */
export interface Pcre2 {
  /**
   * Compiles `pattern` (UTF-8 bytes, no PCRE2_UTF: nginx does not set it) with `options`, reads
   * the capture count and the group names, and frees the code before returning: no compiled
   * pattern outlives the call, so nothing native is left to free later.
   */
  compile(pattern: string, options: number): Pcre2Result;
}

/**
 * Binds `library` through koffi. koffi itself is required here, not at import time, so a machine
 * without its native addon or libpcre2 still runs everything that needs no regex check.
 * Throws an Error naming the library when it cannot be loaded.
 */
export function loadPcre2(library: string = PCRE2_LIBRARY): Pcre2 {
  let lib: ReturnType<typeof import('koffi').load>;
  let koffi: typeof import('koffi');
  try {
    koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    lib = koffi.load(library);
  } catch (err) {
    throw new Error(
      `cannot load ${library} through koffi (on Debian install the libpcre2-8-0 package): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const compile = lib.func(
    'void *pcre2_compile_8(const uint8_t *pattern, size_t length, uint32_t options, _Out_ int *errorcode, _Out_ size_t *erroroffset, void *ccontext)',
  );
  const patternInfo = lib.func('int pcre2_pattern_info_8(void *code, uint32_t what, _Out_ uint32_t *where)');
  const patternInfoPointer = lib.func('pcre2_pattern_info_8', 'int', ['void *', 'uint32_t', koffi.out(koffi.pointer('void *'))]);
  const codeFree = lib.func('void pcre2_code_free_8(void *code)');
  const errorMessage = lib.func('int pcre2_get_error_message_8(int errorcode, _Out_ uint8_t *buffer, size_t bufflen)');

  const info = (code: unknown, what: number): number => {
    const where = [0];
    const rc = patternInfo(code, what, where) as number;
    if (rc !== 0) throw new Error(`pcre2_pattern_info(${what}) failed: ${rc}`);
    return where[0]!;
  };
  // The name table: one entry per named group, `entrySize` bytes each — the group number in two
  // bytes (big-endian), then the name, NUL-terminated. https://www.pcre.org/current/doc/html/pcre2api.html#infoaboutpattern
  const names = (code: unknown): string[] => {
    const count = info(code, PCRE2_INFO_NAMECOUNT);
    if (count === 0) return [];
    const entrySize = info(code, PCRE2_INFO_NAMEENTRYSIZE);
    const table = [null as unknown];
    const rc = patternInfoPointer(code, PCRE2_INFO_NAMETABLE, table) as number;
    if (rc !== 0 || table[0] === null) throw new Error(`pcre2_pattern_info(PCRE2_INFO_NAMETABLE) failed: ${rc}`);
    const bytes = Buffer.from(koffi.decode(table[0], 'uint8_t', count * entrySize) as number[]);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const entry = bytes.subarray(i * entrySize + 2, (i + 1) * entrySize);
      const end = entry.indexOf(0);
      out.push(entry.subarray(0, end < 0 ? entry.length : end).toString('utf8'));
    }
    return out;
  };

  return {
    compile(pattern, options) {
      // A zero-length Buffer would be passed as NULL, which PCRE2 rejects even with length 0.
      const bytes = pattern.length === 0 ? Buffer.alloc(1) : Buffer.from(pattern, 'utf8');
      const length = pattern.length === 0 ? 0 : bytes.length;
      const errorCode = [0];
      const errorOffset = [0];
      const code: unknown = compile(bytes, length, options, errorCode, errorOffset, null);
      if (code === null) {
        const buffer = Buffer.alloc(ERROR_BUFFER_SIZE);
        const n = errorMessage(errorCode[0], buffer, ERROR_BUFFER_SIZE) as number;
        const message = n > 0 ? buffer.subarray(0, n).toString('utf8') : `PCRE2 error ${errorCode[0]}`;
        return { ok: false, message, byteOffset: errorOffset[0]!, errorCode: errorCode[0]! };
      }
      try {
        return { ok: true, captureCount: info(code, PCRE2_INFO_CAPTURECOUNT), names: names(code) };
      } finally {
        codeFree(code);
      }
    },
  };
}

let shared: Pcre2 | undefined;
let sharedError: Error | undefined;

/** Compiles with the system library, loaded once on first use; a failed load is remembered and rethrown. */
export function pcre2Compile(pattern: string, options: number): Pcre2Result {
  if (!shared) {
    if (sharedError) throw sharedError;
    try {
      shared = loadPcre2();
    } catch (err) {
      sharedError = err as Error;
      throw err;
    }
  }
  return shared.compile(pattern, options);
}

// The backtracking analyser (recheck) reads JavaScript regexes; nginx compiles PCRE2. This
// rewrites a PCRE2 pattern into a JavaScript one that backtracks at least as much, or gives up.
// Possessive quantifiers and atomic groups become plain ones (they only ever remove
// backtracking, so the analysis may be stricter than nginx, never laxer); PCRE-only escapes become
// the character classes they stand for. Anything whose backtracking cannot be matched this way
// (recursion, conditionals, backtracking verbs, unknown escapes) returns undefined: the caller
// treats the pattern as unproven. Syntax: https://www.pcre.org/current/doc/html/pcre2pattern.html

/** PCRE2 escapes with no JavaScript equivalent, as the characters they match. */
const CLASS_ESCAPES: Readonly<Record<string, string>> = {
  h: ' \\t\\xa0',
  v: '\\n\\x0b\\f\\r\\x85',
};
const NEGATED_CLASS_ESCAPES: Readonly<Record<string, string>> = { H: 'h', V: 'v' };
/** Escapes that mean the same in a JavaScript regex without the `u` flag. */
const SAME_ESCAPES = new Set([...'dDwWsSbBnrtf0123456789']);
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  space: '\\s',
};
const QUANTIFIER = /^\{\d+(,\d*)?\}/;

function literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => `\\${c}`);
}

/** `\Q…\E` (to the end when there is no `\E`): the quoted text and where parsing resumes. */
function quotedRun(pattern: string, i: number): { text: string; next: number } {
  const end = pattern.indexOf('\\E', i + 2);
  return end < 0 ? { text: pattern.slice(i + 2), next: pattern.length } : { text: pattern.slice(i + 2, end), next: end + 2 };
}

/** One escape at `pattern[i] === '\\'`, inside a class or not; undefined when it cannot be expressed. */
function escape(pattern: string, i: number, inClass: boolean): { js: string; next: number } | undefined {
  const c = pattern[i + 1];
  if (c === undefined) return undefined;
  if (c === 'x') {
    const braced = /^\{([0-9a-fA-F]{1,2})\}/.exec(pattern.slice(i + 2));
    if (braced) return { js: `\\x${braced[1]!.padStart(2, '0')}`, next: i + 2 + braced[0].length };
    const hex = /^[0-9a-fA-F]{0,2}/.exec(pattern.slice(i + 2))![0];
    return { js: `\\x${hex.padStart(2, '0')}`, next: i + 2 + hex.length };
  }
  if (c === 'e') return { js: '\\x1b', next: i + 2 };
  if (c in CLASS_ESCAPES) return { js: inClass ? CLASS_ESCAPES[c]! : `[${CLASS_ESCAPES[c]}]`, next: i + 2 };
  if (c in NEGATED_CLASS_ESCAPES && !inClass) return { js: `[^${CLASS_ESCAPES[NEGATED_CLASS_ESCAPES[c]!]}]`, next: i + 2 };
  if (!inClass) {
    if (c === 'A') return { js: '^', next: i + 2 };
    if (c === 'z' || c === 'Z') return { js: '$', next: i + 2 };
    if (c === 'N') return { js: '[^\\n]', next: i + 2 };
    if (c === 'R') return { js: '(?:\\r\\n|[\\n\\x0b\\f\\r\\x85])', next: i + 2 };
  }
  if (c === 'b' && inClass) return { js: '\\x08', next: i + 2 };
  if (SAME_ESCAPES.has(c)) return { js: `\\${c}`, next: i + 2 };
  if (/[A-Za-z]/.test(c)) return undefined;
  return { js: literal(c), next: i + 2 };
}

/** A character class starting at `pattern[i] === '['`. */
function characterClass(pattern: string, i: number): { js: string; next: number } | undefined {
  let j = i + 1;
  let js = '[';
  if (pattern[j] === '^') (js += '^'), j++;
  // A `]` right after `[` or `[^` is a literal in PCRE, the end of an empty class in JavaScript.
  if (pattern[j] === ']') (js += '\\]'), j++;
  while (j < pattern.length) {
    const c = pattern[j]!;
    if (c === ']') return { js: `${js}]`, next: j + 1 };
    if (c === '[' && pattern[j + 1] === ':') {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(j));
      const chars = posix ? POSIX_CLASSES[posix[2]!] : undefined;
      if (!posix || chars === undefined || posix[1]) return undefined;
      js += chars;
      j += posix[0].length;
    } else if (c === '\\' && pattern[j + 1] === 'Q') {
      const run = quotedRun(pattern, j);
      js += literal(run.text).replace(/\]/g, '\\]');
      j = run.next;
    } else if (c === '\\' && pattern[j + 1] === 'E') {
      j += 2;
    } else if (c === '\\') {
      const e = escape(pattern, j, true);
      if (!e) return undefined;
      js += e.js;
      j = e.next;
    } else {
      js += c === '[' || c === '/' ? `\\${c}` : c;
      j++;
    }
  }
  return undefined;
}

/** A group opening at `pattern[i] === '('`: its JavaScript opening, or undefined. */
function groupOpening(pattern: string, i: number): { js: string; next: number } | undefined {
  const rest = pattern.slice(i);
  if (rest.startsWith('(*')) return undefined; // backtracking verbs
  if (!rest.startsWith('(?')) return { js: '(', next: i + 1 };
  const named = /^\(\?(?:P?<|')([A-Za-z_][A-Za-z0-9_]*)[>']/.exec(rest);
  if (named) return { js: `(?<${named[1]}>`, next: i + named[0].length };
  const backref = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
  if (backref) return { js: `\\k<${backref[1]}>`, next: i + backref[0].length };
  for (const same of ['(?:', '(?=', '(?!', '(?<=', '(?<!']) if (rest.startsWith(same)) return { js: same, next: i + same.length };
  if (rest.startsWith('(?>') || rest.startsWith('(?|')) return { js: '(?:', next: i + 3 };
  const comment = /^\(\?#[^)]*\)/.exec(rest);
  if (comment) return { js: '', next: i + comment[0].length };
  // Option settings: `(?i)` alone, or `(?i:…)`. The analysis is caseless and its `.` matches
  // every character, so dropping i, s, n or U only widens what is analysed. `m` (more places
  // where `^` matches) and `x` (another syntax) cannot be dropped.
  const options = /^\(\?\^?[a-zA-Z-]*([:)])/.exec(rest);
  if (options && /^\(\?\^?[insU-]*[:)]$/.test(options[0])) {
    return { js: options[1] === ':' ? '(?:' : '', next: i + options[0].length };
  }
  return undefined; // recursion, conditionals, callouts, extended mode…
}

/**
 * A JavaScript regex source whose backtracking is at least that of the PCRE2 `pattern`, or
 * undefined when it cannot be written.
 */
export function jsBacktrackingEquivalent(pattern: string): string | undefined {
  let js = '';
  let i = 0;
  let afterQuantifier = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let piece: { js: string; next: number } | undefined;
    let quantifier = false;
    if (afterQuantifier && c === '+') {
      piece = { js: '', next: i + 1 }; // possessive: the plain quantifier backtracks more
    } else if (c === '\\' && pattern[i + 1] === 'Q') {
      const run = quotedRun(pattern, i);
      piece = { js: literal(run.text), next: run.next };
    } else if (c === '\\' && pattern[i + 1] === 'E') {
      piece = { js: '', next: i + 2 };
    } else if (c === '\\') {
      piece = escape(pattern, i, false);
    } else if (c === '[') {
      piece = characterClass(pattern, i);
    } else if (c === '(') {
      piece = groupOpening(pattern, i);
    } else if (c === '*' || c === '+' || c === '?') {
      piece = { js: c, next: i + 1 };
      quantifier = !afterQuantifier || c !== '?';
    } else if (c === '{' && QUANTIFIER.test(pattern.slice(i))) {
      const q = QUANTIFIER.exec(pattern.slice(i))![0];
      piece = { js: q, next: i + q.length };
      quantifier = true;
    } else {
      piece = { js: c === '/' || c === '{' || c === '}' ? `\\${c}` : c, next: i + 1 };
    }
    if (!piece) return undefined;
    js += piece.js;
    i = piece.next;
    afterQuantifier = quantifier;
  }
  return js;
}

// Two facts about a regex that follow from its shape alone, read from the JavaScript source that
// pcre-to-js.ts produces:
// - how many ways it can match a given prefix (alternatives × optional parts × repeat counts).
//   recheck measures backtracking as a function of the input's length, so it calls
//   `^/(a|a)(a|a)…(a|a)b` (30 groups) safe, yet nginx spent 4.3 s on one request of 31 characters
//   trying its 2^30 ways (checked with Debian's nginx 1.22.1, pcre_jit on);
// - whether it is plainly linear: anchored, and at most one repeated item, a single character
//   (`/app(/|$)(.*)`, the usual rewrite path). Backtracking then tries each alternative once per
//   length of that one repeat: O(n). Such paths skip the full analysis.

interface Item {
  /** Ways this item alone can match, counting its quantifier (capped). */
  readonly ways: number;
  /** Repeated items inside it (itself included). */
  readonly repeats: number;
  /** Whether a repeat applies to something other than a single character. */
  readonly complexRepeat: boolean;
  /** Back-references, lookarounds. */
  readonly special: boolean;
}

export interface RegexShape {
  /** Ways to match a prefix, capped at Number.MAX_SAFE_INTEGER. */
  readonly ways: number;
  /** Anchored, with at most one repeat, on a single character: linear without further analysis. */
  readonly plainlyLinear: boolean;
}

const CAP = Number.MAX_SAFE_INTEGER;
const times = (a: number, b: number): number => Math.min(CAP, a * b);

class Parser {
  i = 0;
  constructor(readonly src: string) {}

  /** Alternatives up to `)` or the end. */
  alternation(): Item {
    const branches = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return {
      ways: Math.min(CAP, branches.reduce((n, b) => n + b.ways, 0)),
      repeats: branches.reduce((n, b) => n + b.repeats, 0),
      complexRepeat: branches.some((b) => b.complexRepeat),
      special: branches.some((b) => b.special),
    };
  }

  sequence(): Item {
    let item: Item = { ways: 1, repeats: 0, complexRepeat: false, special: false };
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const next = this.quantified();
      item = {
        ways: times(item.ways, next.ways),
        repeats: item.repeats + next.repeats,
        complexRepeat: item.complexRepeat || next.complexRepeat,
        special: item.special || next.special,
      };
    }
    return item;
  }

  quantified(): Item {
    const { item, single } = this.atom();
    const q = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(this.src.slice(this.i));
    if (!q) return item;
    this.i += q[0].length;
    let ways: number;
    if (q[1] === '?') ways = item.ways + 1;
    else if (q[1] !== undefined || (q[3] !== undefined && q[4] === '')) ways = item.ways + 1; // unbounded: recheck's domain
    else {
      // {min,max}: Σ ways^k for k = min..max (max − min + 1 for a single character).
      const min = Number(q[2]);
      const max = q[3] === undefined ? min : Number(q[4]);
      ways = 0;
      for (let k = min; k <= max && ways < CAP; k++) ways = Math.min(CAP, ways + item.ways ** k);
    }
    return { ways: Math.min(CAP, ways), repeats: item.repeats + 1, complexRepeat: item.complexRepeat || !single, special: item.special };
  }

  atom(): { item: Item; single: boolean } {
    const plain: Item = { ways: 1, repeats: 0, complexRepeat: false, special: false };
    const c = this.src[this.i]!;
    if (c === '(') {
      const head = /^\((\?:|\?<[A-Za-z_][A-Za-z0-9_]*>|\?=|\?!|\?<=|\?<!)?/.exec(this.src.slice(this.i))![0];
      this.i += head.length;
      const inner = this.alternation();
      this.i++; // ')'
      const lookaround = /^\(\?(=|!|<=|<!)/.test(head);
      return { item: { ...inner, special: inner.special || lookaround }, single: false };
    }
    if (c === '[') {
      let j = this.i + 1;
      while (j < this.src.length && this.src[j] !== ']') j += this.src[j] === '\\' ? 2 : 1;
      this.i = j + 1;
      return { item: plain, single: true };
    }
    if (c === '\\') {
      const ref = /^\\([1-9]\d*|k<[^>]*>)/.exec(this.src.slice(this.i));
      if (ref) {
        this.i += ref[0].length;
        return { item: { ...plain, special: true }, single: false };
      }
      const esc = /^\\(x[0-9a-fA-F]{2}|.)/.exec(this.src.slice(this.i))![0];
      this.i += esc.length;
      return { item: plain, single: true };
    }
    this.i++;
    return { item: plain, single: c !== '^' && c !== '$' };
  }
}

/** The shape of a JavaScript regex source as pcre-to-js.ts writes it (already known valid). */
export function regexShape(js: string): RegexShape {
  const parser = new Parser(js);
  const root = parser.alternation();
  // A top-level `|` would start a branch without the leading `^`: tried at every position.
  const anchored = js.startsWith('^') && parser.i === js.length && !hasTopLevelBar(js);
  return { ways: root.ways, plainlyLinear: anchored && !root.special && !root.complexRepeat && root.repeats <= 1 };
}

function hasTopLevelBar(js: string): boolean {
  let depth = 0;
  for (let i = 0; i < js.length; i++) {
    const c = js[i];
    if (c === '\\') i++;
    else if (c === '[') {
      while (i < js.length && js[i] !== ']') i += js[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

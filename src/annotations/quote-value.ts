/**
 * A hostile annotation value as it may appear in a message: double-quoted, every character outside
 * printable ASCII written as an escape (`\n`, `\u2028`), so a value cannot break the
 * `[rule] path: message` line, hide text behind bidi controls, or flood logs (cut at `max`).
 */
export function quoteValue(value: string, max = 80): string {
  let out = '"';
  const end = Math.min(value.length, max);
  for (let i = 0; i < end; i++) {
    const code = value.charCodeAt(i);
    const ch = value[i] as string;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  out += '"';
  return value.length > max ? `${out}… (${value.length} characters)` : out;
}

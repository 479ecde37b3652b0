/**
 * A user-supplied string as it should appear in a message: JSON-quoted (so a newline shows as
 * `\n` instead of breaking the `[rule] path: message` line) and cut at `max` characters, because
 * a hostile value can be up to the API server's size limit and messages end up in logs.
 */
export function quote(value: string, max = 100): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

/** `{ [key]: value }` when value is defined, else `{}`: configs list only what is set, so they compare and serialize cleanly. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// nginx sizes (`8k`, `1m`): the syntax and its value in bytes. http://nginx.org/en/docs/syntax.html

/** A size nginx reads: digits with an optional k/m/g suffix (either case). */
export const NGINX_SIZE = /^([0-9]{1,9})([kKmMgG]?)$/;

const UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes of an nginx size, or undefined when it is not one. */
export function sizeBytes(size: string): number | undefined {
  const m = NGINX_SIZE.exec(size);
  return m ? Number(m[1]) * UNIT[m[2]!.toLowerCase()]! : undefined;
}

// nginx finds a server by its exact name in a hash (src/core/ngx_hash.c, ngx_hash_init) whose
// bucket size is fixed at configuration time, and `nginx -t` fails for the whole configuration
// when one name does not fit a bucket: with the old fixed `server_names_hash_bucket_size 256`,
// any host of 239 characters or more ("could not build server_names_hash, you should increase
// server_names_hash_bucket_size"), while Kubernetes accepts hosts of up to 253. So the sizes are
// computed from the names actually rendered, as ingress-nginx does (controller/nginx.go).
// http://nginx.org/en/docs/http/server_names.html#optimization

/** A 64-bit build's pointer size: nginx's hash elements and buckets are made of pointers. */
const POINTER = 8;
/** The old fixed size: enough for hosts of up to 238 characters, kept as the floor. */
const MIN_BUCKET_SIZE = 256;
/** nginx's default `server_names_hash_max_size`. */
const MIN_MAX_SIZE = 512;
/**
 * Room for this many of the longest names in a bucket: nginx tries table sizes up to max_size
 * until no bucket overflows, which needs room for a few names that hash alike (else it warns
 * "could not build optimal server_names_hash" and overfills buckets anyway).
 */
const NAMES_PER_BUCKET = 4;

/** The `server_names_hash_*` directives for a configuration. */
export interface ServerNamesHash {
  readonly bucketSize: number;
  readonly maxSize: number;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** NGX_HASH_ELT_SIZE: a value pointer, a 2-byte length and the name, padded to a pointer. */
function elementSize(name: string): number {
  return POINTER + Math.ceil((name.length + 2) / POINTER) * POINTER;
}

/**
 * Sizes for a hash of these exact server names (regex names, such as wildcard hosts, are not
 * hashed). ngx_hash_init refuses a name when `bucket_size < element size + pointer`; the bucket
 * size here holds NAMES_PER_BUCKET of the longest name, as a power of two (so a multiple of the
 * cache line, which nginx would round up to). Names are host names of at most 255 characters, so
 * the result stays far below nginx's limit of 65536 minus a cache line. The table may have up to
 * twice as many buckets as names: past 10,000 buckets nginx tries only the last 1,000 sizes, so
 * `nginx -t` stays fast at any number of hosts.
 */
export function serverNamesHash(names: readonly string[]): ServerNamesHash {
  let longest = 0;
  for (const name of names) longest = Math.max(longest, elementSize(name));
  return {
    bucketSize: Math.max(MIN_BUCKET_SIZE, nextPowerOfTwo(NAMES_PER_BUCKET * longest + POINTER)),
    maxSize: Math.max(MIN_MAX_SIZE, nextPowerOfTwo(names.length * 2)),
  };
}

/**
 * Names built from templates: literal text with arguments between, an id
 * (its position) or the bucket of an id. TypeScript renders them here;
 * `src/state/redis/names.ts` turns the same templates into the Lua the
 * single-Redis scripts call, so every name is written once.
 */
export type Piece = string | { arg: number } | { bucketOf: number; buckets: number };
export interface Name {
  /** The Lua function (lowercase) or constant (uppercase) generated for it. */
  lua: string;
  pieces: readonly Piece[];
  /** A pub/sub channel: scripts pass it to `publish`, which prefixes it. */
  channel?: true;
}

export const id = (arg: number): Piece => ({ arg });

/** The bucket of an id: a hash of its UTF-8 bytes, as bucket_of in redis/lua/lib/keys.lua. */
export function bucketOf(value: string, buckets: number): number {
  let h = 0;
  for (const byte of Buffer.from(value, 'utf8')) h = (h * 31 + byte) % buckets;
  return h;
}

/** A name with its arguments, without the key prefix. */
export function render(name: Name, args: ReadonlyArray<string | number>): string {
  let out = '';
  for (const piece of name.pieces) {
    if (typeof piece === 'string') out += piece;
    else if ('arg' in piece) out += String(args[piece.arg]);
    else out += String(bucketOf(String(args[piece.bucketOf]), piece.buckets));
  }
  return out;
}

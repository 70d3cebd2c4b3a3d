/**
 * Many calls of one script in one EVALSHA, for batch ingest: a call costs
 * Redis a fixed overhead (command, script lookup, socket I/O) that a batch
 * pays once. The script's library and body run once per item inside a
 * function whose parameters `KEYS` and `ARGV` shadow the globals, so every
 * item sees exactly the keys and arguments a call of its own would get, in
 * the library too, and each item stays as atomic as a single call (the whole
 * batch is one script). Both engines build their batch scripts here.
 */

/** One item of a batch: its keys and its own arguments. */
export interface BatchItem {
  readonly keys: readonly string[];
  readonly args: ReadonlyArray<string | number>;
}

/** The batch form of a script: `lib` and `body` as a single call would run them. */
export function batchLua(lib: string, body: string): string {
  return `local function step(KEYS, ARGV)
${lib}
${body}
end
-- ARGV[1] head count h    ARGV[2] tail count t    then h head and t tail arguments,
-- then per item: its key count, its argument count, its arguments. KEYS: each item's keys in turn.
-- Each item runs with ARGV = head .. its arguments .. tail. Returns each item's reply, in order.
local h, t = tonumber(ARGV[1]), tonumber(ARGV[2])
local head, tail = {}, {}
for j = 1, h do head[j] = ARGV[2 + j] end
for j = 1, t do tail[j] = ARGV[2 + h + j] end
local out, i, k = {}, 3 + h + t, 1
while i <= #ARGV do
  local nk, na = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[k + j - 1] end
  for j = 1, h do args[j] = head[j] end
  for j = 1, na do args[h + j] = ARGV[i + 1 + j] end
  for j = 1, t do args[h + na + j] = tail[j] end
  local reply = step(keys, args)
  if reply == nil then reply = false end
  out[#out + 1] = reply
  i, k = i + 2 + na, k + nk
end
return out`;
}

/**
 * The arguments of a batch call: the key count and the keys, then the
 * runner's layout (batchLua). `head` and `tail` are the arguments every item
 * shares before and after its own.
 */
export function batchArgs(
  items: readonly BatchItem[],
  head: ReadonlyArray<string | number> = [],
  tail: ReadonlyArray<string | number> = [],
): Array<string | number> {
  const keys: string[] = [];
  const args: Array<string | number> = [head.length, tail.length, ...head, ...tail];
  for (const item of items) {
    keys.push(...item.keys);
    args.push(item.keys.length, item.args.length, ...item.args);
  }
  return [keys.length, ...keys, ...args];
}

/** Calls `run` on chunks of at most `size` items, all sent at once; the replies in item order. */
export async function inChunks<T, R>(items: readonly T[], size: number, run: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return (await Promise.all(chunks.map(run))).flat();
}

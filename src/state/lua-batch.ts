/**
 * Many calls of one script in one EVALSHA, for batch ingest: a call costs
 * Redis a fixed overhead (command, script lookup, socket I/O) that a batch
 * pays once. Before each item the runner refills the global `KEYS` and
 * `ARGV` tables (their contents may change; the globals may not be
 * reassigned) with that item's keys and arguments, so the script's body and
 * its library, loaded once, see exactly what a call of its own would get.
 * Each item stays as atomic as a single call (the whole batch is one script).
 * Both engines build their batch scripts here.
 */

/**
 * Items one batch call takes at once: about 3 ms of Redis time, so a batch
 * never holds a Redis (or a shard) much longer than a single call does.
 */
export const BATCH_CHUNK = 100;

/** One item of a batch: its keys and its own arguments. */
export interface BatchItem {
  readonly keys: readonly string[];
  readonly args: ReadonlyArray<string | number>;
}

/** The batch form of a script: `lib` and `body` as a single call would run them. */
export function batchLua(lib: string, body: string): string {
  return `-- ARGV[1] head count h    ARGV[2] tail count t    then h head and t tail arguments,
-- then per item: its key count, its argument count, its arguments. KEYS: each item's keys in turn.
-- Each item runs with ARGV = head .. its arguments .. tail. Returns each item's reply, in order.
local BATCH_KEYS, BATCH_ARGV = {}, {}
for j = 1, #KEYS do BATCH_KEYS[j] = KEYS[j] end
for j = 1, #ARGV do BATCH_ARGV[j] = ARGV[j] end
local BATCH_H, BATCH_T = tonumber(ARGV[1]), tonumber(ARGV[2])
local function batch_view(key_from, nk, arg_from, na)
  for j = #KEYS, 1, -1 do KEYS[j] = nil end
  for j = 1, nk do KEYS[j] = BATCH_KEYS[key_from + j - 1] end
  for j = #ARGV, 1, -1 do ARGV[j] = nil end
  for j = 1, BATCH_H do ARGV[j] = BATCH_ARGV[2 + j] end
  for j = 1, na do ARGV[BATCH_H + j] = BATCH_ARGV[arg_from + j - 1] end
  for j = 1, BATCH_T do ARGV[BATCH_H + na + j] = BATCH_ARGV[2 + BATCH_H + j] end
end
-- The library loads with the shared arguments in place (the key prefix is ARGV[1] on a single Redis).
batch_view(1, 0, 1, 0)
${lib}
local function batch_step()
${body}
end
local out, i, k = {}, 3 + BATCH_H + BATCH_T, 1
while i <= #BATCH_ARGV do
  local nk, na = tonumber(BATCH_ARGV[i]), tonumber(BATCH_ARGV[i + 1])
  batch_view(k, nk, i + 2, na)
  local reply = batch_step()
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

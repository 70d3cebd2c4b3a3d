import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** Reads and lock writes both Redis engines do alike, on whichever client and key their layout gives. */

/** Gateway nodes and their lease expiry from the nodes zset, soonest first, at most `limit`. */
export async function readNodeLeases(client: Redis | Cluster, key: string, limit: number) {
  const flat = await client.zrange(key, 0, limit - 1, 'WITHSCORES');
  const out: Array<{ nodeId: string; expiresAt: number }> = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ nodeId: flat[i]!, expiresAt: Number(flat[i + 1]) });
  return out;
}

/** Takes the lock at `key` for `ttlMs` unless another holder has it; the holder's token, or null. */
export async function takeLock(client: Redis | Cluster, key: string, ttlMs: number): Promise<string | null> {
  const token = randomUUID();
  return (await client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
}

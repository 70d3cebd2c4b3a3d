import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createRedisClients, type RedisClients } from '../../src/state/redis/clients.js';
import { redisUrl } from '../utils/engines.js';

const ready = (clients: RedisClients) =>
  clients.command.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => clients.command.once('ready', () => resolve()));

// The command client batches one turn's commands into one socket write.
describe.skipIf(!redisUrl)('Redis command client', () => {
  let clients: RedisClients | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await clients?.close();
  });

  const writesOf = (socket: Socket) => {
    const target = socket as unknown as { _write: () => void; _writev: () => void };
    return { single: vi.spyOn(target, '_write'), vector: vi.spyOn(target, '_writev') };
  };

  it('sends the commands of one turn in one write, in order', async () => {
    clients = createRedisClients({ target: redisUrl!, logger: silentLogger });
    await ready(clients);
    const key = `t:batch:${randomUUID()}`;
    const writes = writesOf(clients.command.stream as Socket);
    const replies = await Promise.all(Array.from({ length: 20 }, () => clients!.command.incr(key)));
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(writes.single).not.toHaveBeenCalled();
    expect(writes.vector).toHaveBeenCalledTimes(1);
    expect((writes.vector.mock.calls[0] as unknown as [unknown[]])[0]).toHaveLength(20);

    // The next turn is the next write.
    await clients.command.incr(key);
    expect(writes.single.mock.calls.length + writes.vector.mock.calls.length).toBe(2);
    await clients.command.del(key);
  });

  it('batches on the new socket after the connection dropped', async () => {
    clients = createRedisClients({ target: redisUrl!, logger: silentLogger });
    await ready(clients);
    const first = clients.command.stream as Socket;
    first.destroy();
    await new Promise<void>((resolve) => clients!.command.once('ready', () => resolve()));
    const socket = clients.command.stream as Socket;
    expect(socket).not.toBe(first);
    const writes = writesOf(socket);
    const key = `t:batch:${randomUUID()}`;
    expect(await Promise.all([clients.command.incr(key), clients.command.incr(key)])).toEqual([1, 2]);
    expect(writes.vector).toHaveBeenCalledTimes(1);
    expect(socket.writableCorked).toBe(0);
    await clients.command.del(key);
  });
});

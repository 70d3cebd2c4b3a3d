import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';
import { stateUnavailable } from '../../errors.js';

/** How many replicas must hold a write before it is answered, and how long to wait for them. */
export interface ReplicaAckOptions {
  /** 0: answer once the master applied it (Redis's own asynchronous replication). */
  replicas: number;
  timeoutMs: number;
}

/**
 * Writes answered only once `replicas` replicas hold them (Redis `WAIT` on
 * the connection that wrote), so a failover, graceful or not, cannot take
 * back what a caller was told. Redis replicates asynchronously: without
 * this, a write the master answered in the instant a switch begins can be
 * missing on the promoted replica (seen in test/state/cluster-failover.test.ts).
 *
 * A WAIT blocks its connection, and every caller shares one connection per
 * node, so the waits are grouped: one WAIT in flight per connection, and the
 * writes answered while it is out share the next one (it is sent after their
 * replies came, so it covers them). A write whose replicas do not confirm in
 * time fails with STATE_UNAVAILABLE, `mayHaveBeenApplied: true`: the master
 * has it, a retry converges. So a master with fewer replicas online than
 * asked for refuses every write until it has them again: the price of the
 * guarantee, as with Redis's own min-replicas-to-write.
 */
export function createReplicaAcks({ replicas, timeoutMs }: ReplicaAckOptions) {
  const barriers = new WeakMap<Redis, () => Promise<void>>();

  function barrier(connection: Redis) {
    let inFlight: Promise<void> | null = null;
    let queued: Promise<void> | null = null;
    const start = () => {
      // Fewer replicas in time, or the WAIT itself failed (a master demoted while it waited
      // answers UNBLOCKED): the write is on the master, its copies are not known.
      const wait = connection.wait(replicas, timeoutMs).then(
        (acked) => {
          if (acked < replicas) throw stateUnavailable(true);
        },
        () => {
          throw stateUnavailable(true);
        },
      );
      inFlight = wait;
      const clear = () => void (inFlight === wait && (inFlight = null));
      wait.then(clear, clear);
      return wait;
    };
    return () => {
      if (!inFlight) return start();
      return (queued ??= inFlight
        .catch(() => {})
        .then(() => {
          queued = null;
          return start();
        }));
    };
  }

  /** Resolves once the writes this connection answered so far are on enough replicas. */
  function after(connection: Redis): Promise<void> {
    let wait = barriers.get(connection);
    if (!wait) barriers.set(connection, (wait = barrier(connection)));
    return wait();
  }

  /** The same for the Cluster master serving `key`'s slot (the connection ioredis sent its step on). */
  function afterKey(cluster: Cluster, key: string): Promise<void> {
    const owner = cluster.slots[calculateSlot(key)]?.[0];
    const node = owner === undefined ? undefined : cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
    if (!node) return Promise.reject(stateUnavailable(true));
    return after(node);
  }

  /** `run`, answered only once its write is on enough replicas (`wait` names the connection it went on). */
  const acknowledged =
    <A extends unknown[]>(run: (...args: A) => Promise<unknown>, wait: (args: A) => Promise<void>) =>
    async (...args: A) => {
      const reply = await run(...args);
      await wait(args);
      return reply;
    };

  return { after, afterKey, acknowledged };
}

export type ReplicaAcks = ReturnType<typeof createReplicaAcks>;

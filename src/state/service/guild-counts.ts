import { BoundedIterator } from '../../pubsub/bounded-iterator.js';
import type { StateError } from '../../errors.js';
import type { StateEngine } from '../engine.js';
import { topics, type StateBus } from '../topics.js';
import type { GuildPresence } from '../types.js';

/**
 * Throttled guild counts (`guildPresenceChanged`). Per guild and instance,
 * one hub: one bus subscription to the guild's presence and voice topics,
 * whatever its subscribers. A change arms one timer (none while one is
 * armed); when it fires, the counts are read once (two O(1) reads) and go
 * to every subscriber of the guild on this instance, only if they changed.
 * So a 100,000-member guild costs each subscriber at most one small event
 * per interval, not one per transition.
 */
export function createGuildCounts(engine: Pick<StateEngine, 'guildPresence'>, bus: StateBus, intervalMs: number, bufferSize = 16) {
  const hubs = new Map<string, Hub>();

  class Hub {
    readonly subscribers = new Set<BoundedIterator<GuildPresence>>();
    /** Resolves once the bus subscription is in place; rejects (and the hub is closed) if it fails. */
    readonly ready: Promise<void>;
    closed = false;
    last: GuildPresence | null = null;
    private source: BoundedIterator<unknown> | null = null;
    private timer: NodeJS.Timeout | null = null;

    constructor(readonly guildId: string) {
      this.ready = bus.subscribe([topics.presenceGuild(guildId), topics.voiceGuild(guildId)]).then(
        (source) => {
          this.source = source as BoundedIterator<unknown>;
          if (this.closed) return void this.source.return();
          this.source.consume({ onValue: () => this.arm(), onEnd: (error) => this.end(error) });
        },
        (error: unknown) => {
          this.close();
          throw error;
        },
      );
    }

    private arm() {
      if (this.timer || this.closed) return;
      this.timer = setTimeout(() => void this.tick(), intervalMs);
      this.timer.unref();
    }

    private async tick() {
      this.timer = null;
      let counts: GuildPresence;
      try {
        counts = await engine.guildPresence(this.guildId);
      } catch {
        return this.arm(); // Redis away: try again next interval
      }
      const last = this.last;
      this.last = counts;
      if (last && last.onlineCount === counts.onlineCount && last.voiceCount === counts.voiceCount) return;
      for (const subscriber of this.subscribers) subscriber.push(counts);
    }

    remove(subscriber: BoundedIterator<GuildPresence>) {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.close();
    }

    /** The bus ended the source (shutdown, a cut-off): every subscriber ends with it. */
    private end(error?: StateError) {
      for (const subscriber of [...this.subscribers]) (error ? subscriber.fail(error) : void subscriber.return());
      this.close();
    }

    close() {
      if (this.closed) return;
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      if (hubs.get(this.guildId) === this) hubs.delete(this.guildId);
      void this.source?.return();
    }
  }

  /** The guild's open hub, made when there is none (a hub its last subscriber left is closed and replaced). */
  async function openHub(guildId: string): Promise<Hub> {
    for (;;) {
      let hub = hubs.get(guildId);
      if (!hub) hubs.set(guildId, (hub = new Hub(guildId)));
      await hub.ready;
      if (!hub.closed) return hub;
    }
  }

  /** The counts now, then each change of them, at most one event per interval. */
  return async function guildPresenceChanged(guildId: string): Promise<AsyncIterableIterator<GuildPresence>> {
    const hub = await openHub(guildId);
    const subscriber: BoundedIterator<GuildPresence> = new BoundedIterator<GuildPresence>(bufferSize, () => hub.remove(subscriber));
    hub.subscribers.add(subscriber);
    // Subscribed first, so a change from now on arms the hub's timer.
    const now = await engine.guildPresence(guildId).catch((error: unknown) => {
      hub.remove(subscriber);
      throw error;
    });
    hub.last ??= now;
    subscriber.push(now);
    return subscriber;
  };
}

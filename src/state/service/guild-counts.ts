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
  const hubs = new Map<string, Promise<Hub>>();

  class Hub {
    readonly subscribers = new Set<BoundedIterator<GuildPresence>>();
    private timer: NodeJS.Timeout | null = null;
    last: GuildPresence | null = null;

    constructor(
      readonly guildId: string,
      private readonly source: BoundedIterator<unknown>,
    ) {
      source.consume({ onValue: () => this.arm(), onEnd: (error) => this.end(error) });
    }

    private arm() {
      if (this.timer) return;
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
      if (this.subscribers.size > 0) return;
      this.close();
    }

    /** The bus ended the source (shutdown, a cut-off): every subscriber ends with it. */
    private end(error?: StateError) {
      for (const subscriber of [...this.subscribers]) (error ? subscriber.fail(error) : void subscriber.return());
      this.close();
    }

    private close() {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (hubs.get(this.guildId) === current.get(this)) hubs.delete(this.guildId);
      void this.source.return();
    }
  }
  const current = new WeakMap<Hub, Promise<Hub>>();

  function hubOf(guildId: string): Promise<Hub> {
    let hub = hubs.get(guildId);
    if (!hub) {
      hub = bus.subscribe([topics.presenceGuild(guildId), topics.voiceGuild(guildId)]).then((source) => new Hub(guildId, source as BoundedIterator<unknown>));
      const pending = hub;
      hubs.set(guildId, pending);
      pending.then(
        (made) => current.set(made, pending),
        () => hubs.get(guildId) === pending && hubs.delete(guildId),
      );
    }
    return hub;
  }

  /** The counts now, then each change of them, at most one event per interval. */
  return async function guildPresenceChanged(guildId: string): Promise<AsyncIterableIterator<GuildPresence>> {
    const hub = await hubOf(guildId);
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

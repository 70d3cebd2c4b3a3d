import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createState, type StateRuntime } from '../../src/state/create-state.js';
import type { PresenceEvent, VoiceStateChange } from '../../src/state/types.js';
import { collect, sleep } from '../utils/collect.js';
import { engineNames, targetOf, testConfig, uniquePrefix } from '../utils/engines.js';

/**
 * Random interleavings of connect, disconnect, join, leave, heartbeats and
 * lease expiry, applied concurrently through two instances sharing Redis,
 * must end in the state a sequential model reaches; and every subscriber that
 * started from a snapshot mid-run must, replaying its stream, arrive at that
 * same state. Users are independent, so each user's operations run in order
 * while different users run concurrently (each operation through a random
 * instance); node leases lapse between rounds.
 */

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const GUILDS = ['g0', 'g1', 'g2'];
const CHANNELS = ['c0', 'c1'];
const NODES = ['n0', 'n1'];
const LEASE_S = 10;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

type Op =
  | { kind: 'connect'; session: number; guilds: string[]; node: string | null; viaA: boolean }
  | { kind: 'disconnect'; session: number; viaA: boolean }
  | { kind: 'join' | 'leave'; guild: string; channel: string; viaA: boolean };
interface Round {
  lanes: Op[][];
  /** Nodes that send a heartbeat at the end of the round; the others lapse. */
  survivors: string[];
  /** Subscribe (with snapshots) while this round's operations run. */
  subscribe: boolean;
}

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('connect' as const), session: fc.nat(3), guilds: fc.subarray(GUILDS), node: fc.option(fc.constantFrom(...NODES), { nil: null }), viaA: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), session: fc.nat(3), viaA: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), guild: fc.constantFrom(...GUILDS), channel: fc.constantFrom(...CHANNELS), viaA: fc.boolean() }) },
);
const round: fc.Arbitrary<Round> = fc.record({
  lanes: fc.array(fc.array(op, { maxLength: 14 }), { minLength: USERS.length, maxLength: USERS.length }),
  survivors: fc.subarray(NODES),
  subscribe: fc.boolean(),
});

/** The sequential model: what the state must be after the same operations. */
class Model {
  sessions = new Map<string, Map<string, { guilds: string[]; node: string | null }>>(USERS.map((u) => [u, new Map()]));
  voice = new Map<string, { guild: string; channel: string } | null>();
  tombstones = new Set<string>();

  apply(user: string, o: Op) {
    const mine = this.sessions.get(user)!;
    if (o.kind === 'connect') {
      const id = `${user}-s${o.session}`;
      if (!this.tombstones.has(id)) mine.set(id, { guilds: [...o.guilds].sort(), node: o.node });
    } else if (o.kind === 'disconnect') {
      this.close(user, `${user}-s${o.session}`);
    } else if (o.kind === 'join') {
      this.voice.set(user, { guild: o.guild, channel: o.channel });
    } else {
      const v = this.voice.get(user);
      if (v?.guild === o.guild && v.channel === o.channel) this.voice.set(user, null);
    }
  }
  close(user: string, id: string) {
    this.tombstones.add(id);
    const mine = this.sessions.get(user)!;
    if (mine.delete(id) && mine.size === 0) this.voice.set(user, null);
  }
  lapse(nodes: string[]) {
    for (const [user, mine] of this.sessions) {
      for (const [id, s] of [...mine]) if (s.node !== null && nodes.includes(s.node)) this.close(user, id);
    }
  }
  onlineIn(guild: string) {
    return USERS.filter((u) => [...this.sessions.get(u)!.values()].some((s) => s.guilds.includes(guild))).sort();
  }
  members(guild: string) {
    return USERS.filter((u) => this.voice.get(u)?.guild === guild)
      .map((u) => `${u}@${this.voice.get(u)!.channel}`)
      .sort();
  }
}

async function applyOp(state: StateRuntime, user: string, o: Op) {
  const s = state.service;
  if (o.kind === 'connect') await s.connectSession({ sessionId: `${user}-s${o.session}`, userId: user, guildIds: o.guilds, nodeId: o.node });
  else if (o.kind === 'disconnect') await s.disconnectSession(`${user}-s${o.session}`);
  else if (o.kind === 'join') await s.joinVoiceChannel({ guildId: o.guild, channelId: o.channel, userId: user });
  else await s.leaveVoiceChannel({ guildId: o.guild, channelId: o.channel, userId: user });
}

/** Replays a presence stream (snapshot first) into who is online in the guild. */
function replayPresence(events: PresenceEvent[]) {
  const online = new Set<string>();
  for (const e of events) {
    if (e.state === 'ONLINE') online.add(e.userId);
    else online.delete(e.userId);
  }
  return [...online].sort();
}

/** Replays a voice stream (snapshot first) into `user@channel` members. */
function replayVoice(events: VoiceStateChange[]) {
  const members = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'LEFT') members.delete(e.userId);
    else members.set(e.userId, e.channelId!);
  }
  return [...members].map(([u, c]) => `${u}@${c}`).sort();
}

// On every engine with a real Redis: one server, and a Cluster (where guild views follow through outboxes).
describe.each(engineNames.filter((e) => e !== 'memory'))('presence and voice under random concurrent interleavings (two instances, %s)', (engine) => {
  let applied = 0;

  it(`ends in the sequential model's state, and every snapshot subscriber agrees (${RUNS} runs)`, { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 3, maxLength: 7 }), async (rounds) => {
        const clock = manualClock();
        const config = testConfig({
          redis: targetOf(engine),
          keyPrefix: uniquePrefix(),
          reliability: { ...testConfig().reliability, nodeLeaseSeconds: LEASE_S },
        });
        const a = await createState(config, clock, silentLogger);
        const b = await createState(config, clock, silentLogger);
        const model = new Model();
        const streams: Array<{ guild: string; presence: ReturnType<typeof collect<PresenceEvent>>; voice: ReturnType<typeof collect<VoiceStateChange>> }> = [];
        try {
          for (const r of rounds) {
            const subscribing = r.subscribe
              ? Promise.all(
                  GUILDS.map(async (guild) => ({
                    guild,
                    presence: collect(await b.service.presenceChanged({ guildId: guild, includeSnapshot: true })),
                    voice: collect(await b.service.channelStateChanged(guild, true)),
                  })),
                )
              : Promise.resolve([]);
            await Promise.all(
              USERS.map(async (user, i) => {
                for (const o of r.lanes[i]!) {
                  await applyOp(o.viaA ? a : b, user, o);
                  model.apply(user, o);
                  applied += 1;
                }
              }),
            );
            streams.push(...(await subscribing));
            // The clock passes every lease; survivors renew theirs, the others lapse.
            clock.advance(LEASE_S * 1000 + 1);
            for (const node of r.survivors) await a.service.heartbeat(node, LEASE_S);
            await b.service.maintain();
            model.lapse(NODES.filter((n) => !r.survivors.includes(n)));
          }

          const states = await a.service.connectionStates(USERS);
          for (const [i, user] of USERS.entries()) {
            const sessions = model.sessions.get(user)!.size;
            expect(states[i], user).toMatchObject({ state: sessions > 0 ? 'ONLINE' : 'OFFLINE', sessionCount: sessions });
          }
          for (const guild of GUILDS) {
            const channels = await b.service.channelStates(guild);
            expect(channels.flatMap((c) => c.userIds.map((u) => `${u}@${c.channelId}`)).sort(), guild).toEqual(model.members(guild));
          }
          await sleep(50); // let the last events reach the subscribers on B
          for (const s of streams) {
            expect(replayPresence(s.presence.events), `presence of ${s.guild}`).toEqual(model.onlineIn(s.guild));
            expect(replayVoice(s.voice.events), `voice of ${s.guild}`).toEqual(model.members(s.guild));
          }
        } finally {
          for (const s of streams) await Promise.all([s.presence.close(), s.voice.close()]);
          await a.close();
          await b.close();
        }
      }),
      { numRuns: RUNS },
    );
    // At least 10,000 operations per run of the suite (with the default RUNS).
    if (RUNS >= 100) expect(applied).toBeGreaterThanOrEqual(10_000);
  });
});

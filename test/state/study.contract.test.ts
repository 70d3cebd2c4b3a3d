import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { topics } from '../../src/state/topics.js';
import type { Config } from '../../src/config.js';
import { useEngine } from '../utils/contract.js';
import { clusterNodes, engineNames, redisUrl } from '../utils/engines.js';
import { createClusterKeys, partitionOf } from '../../src/state/cluster/keys.js';

const at = (iso: string) => Date.parse(iso);
// Asia/Seoul, day start 05:00 = 20:00Z the day before: day 2026-11-23 runs
// from 2026-11-22T20:00Z to 2026-11-23T20:00Z.
const NOON_23 = at('2026-11-23T03:00:00Z');
const END_23 = at('2026-11-23T20:00:00Z');

describe.each(engineNames)('study time contract (%s engine)', (engine) => {
  const engineState = useEngine(engine);
  async function setup(overrides: Partial<Config> = {}) {
    const t = await engineState.setup(overrides);
    t.clock.set(NOON_23);
    return t;
  }

  it('answers 0 for the current study day where there is no record', async () => {
    const { service } = await setup();
    expect(await service.studyTime('u1')).toEqual({ userId: 'u1', day: '2026-11-23', seconds: 0, running: false });
    expect(await service.studyTime('u1', '2026-01-01')).toMatchObject({ day: '2026-01-01', seconds: 0 });
  });

  it('names the day by its start: 02:00 on the 24th belongs to the 23rd', async () => {
    const { service, clock } = await setup();
    clock.set(at('2026-11-23T17:00:00Z')); // 02:00 KST on the 24th
    expect((await service.studyTime('u1')).day).toBe('2026-11-23');
    clock.set(END_23);
    expect((await service.studyTime('u1')).day).toBe('2026-11-24');
  });

  it('runs a timer: queries include the running time, stop adds it, retries change nothing', async () => {
    const { service, clock, bus, watch } = await setup();
    const events = await watch(bus.subscribe([topics.studyUser('u1')]));
    expect(await service.startStudyTimer({ userId: 'u1', roomId: 'r1' })).toMatchObject({ seconds: 0, running: true });
    clock.advance(90_000);
    expect(await service.startStudyTimer({ userId: 'u1' })).toMatchObject({ seconds: 90, running: true }); // no restart
    expect(await service.studyTime('u1')).toEqual({ userId: 'u1', day: '2026-11-23', seconds: 90, running: true });
    clock.advance(10_000);
    expect(await service.stopStudyTimer({ userId: 'u1' })).toEqual({ userId: 'u1', day: '2026-11-23', seconds: 100, running: false });
    clock.advance(60_000);
    expect(await service.stopStudyTimer({ userId: 'u1' })).toMatchObject({ seconds: 100, running: false });
    expect(await service.studyTime('u1')).toMatchObject({ seconds: 100, running: false });
    expect(await events.take(2)).toEqual([
      { userId: 'u1', day: '2026-11-23', seconds: 0, running: true },
      { userId: 'u1', day: '2026-11-23', seconds: 100, running: false },
    ]);
    expect(await events.settle(100)).toHaveLength(2);
  });

  it('splits a timer across the day boundary', async () => {
    const { service, clock } = await setup();
    clock.set(END_23 - 30 * 60_000);
    await service.startStudyTimer({ userId: 'u1' });
    clock.set(END_23 + 45 * 60_000);
    expect(await service.studyTime('u1', '2026-11-23')).toMatchObject({ seconds: 1800, running: true });
    expect(await service.studyTime('u1')).toMatchObject({ day: '2026-11-24', seconds: 2700, running: true });
    await service.stopStudyTimer({ userId: 'u1' });
    expect((await service.studyTime('u1', '2026-11-23')).seconds).toBe(1800);
    expect((await service.studyTime('u1', '2026-11-24')).seconds).toBe(2700);
  });

  it('credits a timer that ran for days to each day, capped at 86400 a day', async () => {
    const { service, clock } = await setup();
    clock.set(END_23 - 3_600_000);
    await service.startStudyTimer({ userId: 'u1' });
    clock.set(END_23 + 2 * 86_400_000 + 60_000); // no close ran in between
    await service.stopStudyTimer({ userId: 'u1' });
    const days = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26'];
    const seconds = await Promise.all(days.map(async (d) => (await service.studyTime('u1', d)).seconds));
    expect(seconds).toEqual([3600, 86400, 86400, 60]);
  });

  it('stops the timer when the user goes offline, in the same step', async () => {
    const { service, clock } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1' });
    await service.connectSession({ sessionId: 's2', userId: 'u1' });
    await service.startStudyTimer({ userId: 'u1' });
    clock.advance(30_000);
    await service.disconnectSession('s1');
    expect(await service.studyTime('u1')).toMatchObject({ seconds: 30, running: true });
    clock.advance(30_000);
    await service.disconnectSession('s2');
    clock.advance(600_000);
    expect(await service.studyTime('u1')).toMatchObject({ seconds: 60, running: false });
  });

  it('saves totals that never go down within a day', async () => {
    const { service, bus, watch } = await setup();
    const events = await watch(bus.subscribe([topics.studyUser('u1')]));
    expect(await service.saveStudyTime({ userId: 'u1', seconds: 100 })).toMatchObject({ seconds: 100, day: '2026-11-23' });
    expect(await service.saveStudyTime({ userId: 'u1', seconds: 50 })).toMatchObject({ seconds: 100 });
    expect(await service.saveStudyTime({ userId: 'u1', seconds: 100 })).toMatchObject({ seconds: 100 });
    expect(await service.saveStudyTime({ userId: 'u1', seconds: 3723 })).toMatchObject({ seconds: 3723 });
    expect((await events.take(2)).map((e) => e.seconds)).toEqual([100, 3723]);
    expect(await events.settle(100)).toHaveLength(2);
    // A late save for yesterday lands on yesterday.
    expect(await service.saveStudyTime({ userId: 'u1', seconds: 7, day: '2026-11-22' })).toMatchObject({ day: '2026-11-22', seconds: 7 });
    expect((await service.studyTime('u1')).seconds).toBe(3723);
  });

  it('announces ROOM_OUT when a save says the user left the room', async () => {
    const { service, bus, watch } = await setup();
    const rooms = await watch(bus.subscribe([topics.allRooms()]));
    await service.saveStudyTime({ userId: 'u1', seconds: 10, roomId: 'r1', leftRoom: true });
    await service.connectSession({ sessionId: 's1', userId: 'u2', roomId: 'r2' });
    await service.saveStudyTime({ userId: 'u2', seconds: 10, leftRoom: true }); // the current room
    expect((await rooms.take(2)).map((e) => [e.type, e.roomId, e.userId])).toEqual([
      ['ROOM_OUT', 'r1', 'u1'],
      ['ROOM_OUT', 'r2', 'u2'],
    ]);
    await expect(service.saveStudyTime({ userId: 'u3', seconds: 10, leftRoom: true })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await service.studyTime('u3')).seconds).toBe(0);
  });

  it('syncs batches, counting only totals that rose', async () => {
    const { service } = await setup();
    const entries = [{ userId: 'a', seconds: 10 }, { userId: 'b', seconds: 20 }, { userId: 'c', seconds: 0 }];
    expect(await service.syncStudyTimes({ entries })).toEqual({ updated: 2, day: '2026-11-23' });
    expect(await service.syncStudyTimes({ entries: [{ userId: 'a', seconds: 5 }, { userId: 'b', seconds: 25 }] })).toEqual({ updated: 1, day: '2026-11-23' });
    expect((await service.studyTime('b')).seconds).toBe(25);
    expect(await service.syncStudyTimes({ entries: [] })).toEqual({ updated: 0, day: '2026-11-23' });
  });

  it.each([
    ['1001 entries', { entries: Array.from({ length: 1001 }, (_, i) => ({ userId: `u${i}`, seconds: 1 })) }],
    ['seconds over a day', { entries: [{ userId: 'ok', seconds: 1 }, { userId: 'u1', seconds: 86_401 }] }],
    ['negative seconds', { entries: [{ userId: 'ok', seconds: 1 }, { userId: 'u1', seconds: -1 }] }],
    ['fractional seconds', { entries: [{ userId: 'ok', seconds: 1.5 }] }],
    ['a bad id', { entries: [{ userId: 'ok', seconds: 1 }, { userId: '', seconds: 1 }] }],
    ['a malformed day', { entries: [{ userId: 'ok', seconds: 1 }], day: '2026-13-01' }],
    ['a future day', { entries: [{ userId: 'ok', seconds: 1 }], day: '2026-11-24' }],
    ['a day past retention', { entries: [{ userId: 'ok', seconds: 1 }], day: '2026-10-01' }],
  ])('rejects a sync with %s as BAD_USER_INPUT and writes nothing', async (_name, input) => {
    const { service } = await setup();
    await expect(service.syncStudyTimes(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await service.studyTime('ok')).seconds).toBe(0);
    expect((await service.studyReport('2026-11-23')).entries).toEqual([]);
  });

  it.each([
    ['seconds over a day', { userId: 'u1', seconds: 86_401 }],
    ['seconds not a number', { userId: 'u1', seconds: '5' }],
    ['a malformed day', { userId: 'u1', seconds: 5, day: '23-11-2026' }],
    ['a bad room', { userId: 'u1', seconds: 5, roomId: '' }],
  ])('rejects a save with %s as BAD_USER_INPUT and writes nothing', async (_name, input) => {
    const { service } = await setup();
    await expect(service.saveStudyTime(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await service.studyTime('u1')).seconds).toBe(0);
  });

  it('pages a day by user id with a stable cursor, even while it is written', async () => {
    const { service } = await setup();
    const users = Array.from({ length: 250 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < users.length; i += 25) {
      await service.syncStudyTimes({ entries: users.slice(i, i + 25).map((userId, j) => ({ userId, seconds: i + j + 1 })) });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const result = await service.studyReport('2026-11-23', 100, after);
      seen.push(...result.entries.map((e) => e.userId));
      if (page === 0) {
        // Writes between pages: raised totals and new users on both sides of the cursor.
        await service.syncStudyTimes({ entries: [{ userId: 'user-000', seconds: 9999 }, { userId: 'user-200', seconds: 9999 }, { userId: 'aaa-new', seconds: 1 }, { userId: 'zzz-new', seconds: 1 }] });
      }
      if (!result.hasNextPage) break;
      after = result.endCursor;
    }
    expect(seen.filter((u) => u.startsWith('user-'))).toEqual(users);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain('zzz-new');
    const first = await service.studyReport('2026-11-23', 2);
    expect(first.entries).toEqual([
      { userId: 'aaa-new', day: '2026-11-23', seconds: 1, running: false },
      { userId: 'user-000', day: '2026-11-23', seconds: 9999, running: false },
    ]);
    expect(await service.studyReport('2026-01-01')).toEqual({ day: '2026-01-01', entries: [], endCursor: null, hasNextPage: false });
  });

  it('rejects bad report arguments', async () => {
    const { service } = await setup();
    for (const [first, after] of [[0, null], [1001, null], [10, 'not a cursor!'], [10, '']] as const) {
      await expect(service.studyReport('2026-11-23', first, after)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('closes each ended day once, crediting running timers up to its end', async () => {
    const { service, clock, bus, watch } = await setup();
    const closed = await watch(bus.subscribe([topics.studyDayClosed()]));
    await service.saveStudyTime({ userId: 'a', seconds: 100 });
    clock.set(END_23 - 600_000);
    await service.startStudyTimer({ userId: 'b' });
    expect((await service.closeEndedDays()).map((d) => d.day)).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    clock.set(END_23 + 60_000);
    expect(await service.closeEndedDays()).toEqual([{ day: '2026-11-23', users: 2, totalSeconds: 700 }]);
    expect(await service.closeEndedDays()).toEqual([]);
    const report = await service.studyReport('2026-11-23');
    expect(report.entries.map((e) => [e.userId, e.seconds, e.running])).toEqual([['a', 100, false], ['b', 600, true]]);
    clock.advance(60_000);
    await service.stopStudyTimer({ userId: 'b' });
    expect((await service.studyTime('b', '2026-11-23')).seconds).toBe(600);
    expect((await service.studyTime('b', '2026-11-24')).seconds).toBe(120);
    const events = (await closed.take(4)).filter((e) => e.day === '2026-11-23');
    expect(events).toEqual([{ day: '2026-11-23', users: 2, totalSeconds: 700 }]);
    expect(await closed.settle(100)).toHaveLength(4);
  });

  it('closes an ended day on its final sync when closing is delayed', async () => {
    const { service, clock, bus, watch } = await setup({ studyCloseDelaySeconds: 600 });
    const closed = await watch(bus.subscribe([topics.studyDayClosed()]));
    clock.set(END_23 + 60_000);
    await service.closeEndedDays(); // catches up on older days; the 23rd waits for the delay
    await service.syncStudyTimes({ entries: [{ userId: 'a', seconds: 50 }], day: '2026-11-23' });
    await service.syncStudyTimes({ entries: [{ userId: 'b', seconds: 70 }], day: '2026-11-23', final: true });
    const all = await closed.take(4);
    expect(all.at(-1)).toEqual({ day: '2026-11-23', users: 2, totalSeconds: 120 });
    clock.advance(600_000);
    expect(await service.closeEndedDays()).toEqual([]);
  });

  it('counts real elapsed time on a DST day (Europe/Berlin, clocks back)', async () => {
    const { service, clock } = await setup({ studyTimezone: 'Europe/Berlin' });
    // 01:30 CEST to 03:30 CET on 2026-10-25 is three hours; all on day 2026-10-24.
    clock.set(at('2026-10-24T23:30:00Z'));
    await service.startStudyTimer({ userId: 'u1' });
    clock.set(at('2026-10-25T02:30:00Z'));
    await service.stopStudyTimer({ userId: 'u1' });
    expect((await service.studyTime('u1', '2026-10-24')).seconds).toBe(3 * 3600);
  });

  it('keeps days for the retention period', async () => {
    const { service, clock, config } = await setup({ studyRetentionDays: 2 });
    await service.saveStudyTime({ userId: 'u1', seconds: 42 });
    if (engine === 'memory') {
      clock.set(END_23 + 2 * 86_400_000 - 1000);
      expect((await service.studyTime('u1', '2026-11-23')).seconds).toBe(42);
      clock.set(END_23 + 2 * 86_400_000 + 1000);
      expect((await service.studyTime('u1', '2026-11-23')).seconds).toBe(0);
    } else {
      // Redis expires on its own clock: check the TTLs instead.
      const raw = engine === 'redis' ? new Redis(redisUrl!) : new Cluster(clusterNodes!.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })));
      try {
        const key =
          engine === 'redis'
            ? `${config.keyPrefix}study:{2026-11-23}:totals`
            : createClusterKeys(config.keyPrefix).studyTotals(partitionOf('u1'), '2026-11-23');
        const ttl = await raw.ttl(key);
        expect(ttl).toBeGreaterThan(2 * 86_400);
        expect(ttl).toBeLessThanOrEqual(4 * 86_400);
      } finally {
        raw.disconnect();
      }
    }
  });
});

describe.each(engineNames)('room relay contract (%s engine)', (engine) => {
  const { setup, watch } = useEngine(engine);

  it('relays room events in publish order, per room and for every room', async () => {
    const { service, clock } = await setup();
    const r1 = await watch(service.roomEvents('r1'));
    const all = await watch(service.roomEvents());
    await service.publishRoomEvent({ type: 'ALERT', roomId: 'r1', userId: 'u1', alertCount: 2 });
    await service.publishRoomEvent({ type: 'KICK_OUT', roomId: 'r2', userId: 'host', targetUserId: 'u2', message: 'bye\nnow' });
    await service.publishRoomEvent({ type: 'KICK_OUT_BY_ALERT', roomId: 'r1', userId: 'u1' });
    await service.publishRoomEvent({ type: 'DELEGATE', roomId: 'r1', userId: 'host', targetUserId: 'u3' });
    await service.connectSession({ sessionId: 's1', userId: 'u4', roomId: 'r1' });
    await service.disconnectSession('s1');
    expect((await r1.take(4)).map((e) => e.type)).toEqual(['ALERT', 'KICK_OUT_BY_ALERT', 'DELEGATE', 'ROOM_OUT']);
    const every = await all.take(5);
    expect(every.map((e) => [e.type, e.roomId])).toEqual([
      ['ALERT', 'r1'], ['KICK_OUT', 'r2'], ['KICK_OUT_BY_ALERT', 'r1'], ['DELEGATE', 'r1'], ['ROOM_OUT', 'r1'],
    ]);
    expect(every[0]).toEqual({ type: 'ALERT', roomId: 'r1', userId: 'u1', targetUserId: null, alertCount: 2, message: null, at: clock.now() });
    expect(every[1]?.message).toBe('bye\nnow');
  });

  it('does not take a room whose id ends in * for a pattern', async () => {
    const { service } = await setup();
    const star = await watch(service.roomEvents('r*'));
    await service.publishRoomEvent({ type: 'KICK_OUT', roomId: 'r1', userId: 'u1' });
    await service.publishRoomEvent({ type: 'KICK_OUT', roomId: 'r*', userId: 'u2' });
    expect((await star.take(1))[0]?.userId).toBe('u2');
    expect(await star.settle(100)).toHaveLength(1);
  });

  it.each([
    ['ROOM_OUT from a client', { type: 'ROOM_OUT', roomId: 'r1', userId: 'u1' }],
    ['an unknown type', { type: 'DANCE', roomId: 'r1', userId: 'u1' }],
    ['ALERT without alertCount', { type: 'ALERT', roomId: 'r1', userId: 'u1' }],
    ['alertCount on KICK_OUT', { type: 'KICK_OUT', roomId: 'r1', userId: 'u1', alertCount: 1 }],
    ['a negative alertCount', { type: 'ALERT', roomId: 'r1', userId: 'u1', alertCount: -1 }],
    ['DELEGATE without target', { type: 'DELEGATE', roomId: 'r1', userId: 'u1' }],
    ['a bad room id', { type: 'KICK_OUT', roomId: 'r\u0000', userId: 'u1' }],
    ['a message too long', { type: 'KICK_OUT', roomId: 'r1', userId: 'u1', message: 'x'.repeat(1001) }],
    ['a message with a null byte', { type: 'KICK_OUT', roomId: 'r1', userId: 'u1', message: 'a\u0000b' }],
  ])('rejects %s as BAD_USER_INPUT and publishes nothing', async (_name, input) => {
    const { service } = await setup();
    const all = await watch(service.roomEvents());
    await expect(service.publishRoomEvent(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await all.settle(50)).toEqual([]);
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { sleep } from '../utils/collect.js';
import { engineNames } from '../utils/engines.js';
import {
  CONNECT,
  DAY_CLOSED,
  DISCONNECT,
  REPORT,
  ROOM_EVENT,
  ROOM_EVENTS,
  SAVE,
  START_TIMER,
  STOP_TIMER,
  STUDY_CHANGED,
  STUDY_TIME,
  SYNC,
} from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';

describe.each(engineNames)('seed 000 through GraphQL (%s engine)', (engine) => {
  const { start, wsClient, subscribe } = useServers();

  it('serves every seed-000 message', async () => {
    const server = await start(engine);
    const client = wsClient(server);
    const rooms = await subscribe(server, client, ROOM_EVENTS, { roomId: 'r1' });
    const changes = await subscribe(server, client, STUDY_CHANGED, { userId: 'u1' });

    // chat SUBSCRIBE (user_id, room_id, session)
    await gql(server.url, CONNECT, { input: { sessionId: 'stomp-1', userId: 'u1', roomId: 'r1' } });
    // signaling / auth STUDY_TIME_FROM_TCP: no record yet
    expect((await gql(server.url, STUDY_TIME, { userId: 'u1' })).data?.studyTime).toMatchObject({ seconds: 0, formatted: '00:00:00' });
    // signaling STUDY_TIME_TO_TCP ("01:02:03"), then the room server hears the user left
    const saved = await gql(server.url, SAVE, { input: { userId: 'u1', seconds: 3723, roomId: 'r1', leftRoom: true } });
    expect(saved.data?.saveStudyTime).toMatchObject({ seconds: 3723, formatted: '01:02:03' });
    // signaling_scheduling SCHEDULER / SCHEDULER_LAST
    const sync = await gql(server.url, SYNC, { input: { entries: [{ userId: 'u1', seconds: 4000 }, { userId: 'u2', seconds: 60 }], final: true } });
    expect(sync.data?.syncStudyTimes.updated).toBe(2);
    // room ALERT / KICK_OUT relayed to signaling
    await gql(server.url, ROOM_EVENT, { input: { type: 'ALERT', roomId: 'r1', userId: 'u1', alertCount: 1 } });
    // chat DISCONNECT
    await gql(server.url, DISCONNECT, { sessionId: 'stomp-1' });
    // auth receives the day
    const day = sync.data?.syncStudyTimes.day;
    const report = await gql(server.url, REPORT, { day });
    expect(report.data?.studyReport.entries).toEqual([
      { userId: 'u1', seconds: 4000, formatted: '01:06:40' },
      { userId: 'u2', seconds: 60, formatted: '00:01:00' },
    ]);

    expect((await rooms.take(3)).map((r) => r.data?.roomEvents.type)).toEqual(['ROOM_OUT', 'ALERT', 'ROOM_OUT']);
    expect((await changes.take(2)).map((r) => r.data?.studyTimeChanged.formatted)).toEqual(['01:02:03', '01:06:40']);
  });

  it('answers bad study input with BAD_USER_INPUT over HTTP', async () => {
    const server = await start(engine);
    expect(codeOf(await gql(server.url, SAVE, { input: { userId: 'u1', seconds: 86_401 } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(server.url, STUDY_TIME, { userId: 'u1', day: '2026-02-30' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(server.url, REPORT, { day: 'yesterday' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(server.url, ROOM_EVENT, { input: { type: 'PARTY', roomId: 'r', userId: 'u' } }))).toBe('BAD_USER_INPUT');
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ userId: `u${i}`, seconds: 1 }));
    expect(codeOf(await gql(server.url, SYNC, { input: { entries: tooMany } }))).toBe('BAD_USER_INPUT');
    expect((await gql(server.url, STUDY_TIME, { userId: 'u0' })).data?.studyTime.seconds).toBe(0);
  });
});

describe.each(engineNames.filter((e) => e !== 'memory'))('study across two instances (%s)', (engine) => {
  const { startPair: startBoth, start, wsClient, subscribe } = useServers();
  const startPair = () => startBoth({}, engine);

  it('returns each of 250 users synced in batches of 25 exactly once when paging by 100', async () => {
    const [a, b] = await startPair();
    const users = Array.from({ length: 250 }, (_, i) => `student-${i}`);
    for (let i = 0; i < users.length; i += 25) {
      const batch = users.slice(i, i + 25).map((userId) => ({ userId, seconds: 60 + i }));
      const result = await gql(i % 50 ? a.url : b.url, SYNC, { input: { entries: batch, final: i === 225 } });
      expect(result.data?.syncStudyTimes.updated).toBe(25);
    }
    const day = (await gql(a.url, STUDY_TIME, { userId: 'x' })).data?.studyTime.day;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = (await gql(pages % 2 ? a.url : b.url, REPORT, { day, first: 100, after })).data?.studyReport;
      seen.push(...page.entries.map((e: { userId: string }) => e.userId));
      after = page.hasNextPage ? page.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen.length).toBe(250);
    expect(new Set(seen)).toEqual(new Set(users));
  });

  it('delivers ALERT, KICK_OUT, KICK_OUT_BY_ALERT, DELEGATE, ROOM_OUT in order on B for events caused on A', async () => {
    const [a, b] = await startPair();
    const events = await subscribe(b, wsClient(b), ROOM_EVENTS, { roomId: 'r1' });
    const every = await subscribe(b, wsClient(b), ROOM_EVENTS, {});
    await gql(a.url, CONNECT, { input: { sessionId: 's1', userId: 'u9', roomId: 'r1' } });
    await gql(a.url, ROOM_EVENT, { input: { type: 'ALERT', roomId: 'r1', userId: 'u1', alertCount: 3 } });
    await gql(a.url, ROOM_EVENT, { input: { type: 'KICK_OUT', roomId: 'r1', userId: 'host', targetUserId: 'u1' } });
    await gql(a.url, ROOM_EVENT, { input: { type: 'KICK_OUT_BY_ALERT', roomId: 'r1', userId: 'u2' } });
    await gql(a.url, ROOM_EVENT, { input: { type: 'DELEGATE', roomId: 'r1', userId: 'host', targetUserId: 'u3' } });
    await gql(a.url, DISCONNECT, { sessionId: 's1' });
    const order = ['ALERT', 'KICK_OUT', 'KICK_OUT_BY_ALERT', 'DELEGATE', 'ROOM_OUT'];
    expect((await events.take(5)).map((r) => r.data?.roomEvents.type)).toEqual(order);
    expect((await every.take(5)).map((r) => r.data?.roomEvents.type)).toEqual(order);
    expect(await events.settle(100)).toHaveLength(5);
  });

  it(
    'splits a timer at a real day boundary and closes the day exactly once across instances',
    async () => {
      // The next whole minute at least 3 s away, as the study day start in UTC.
      const boundary = DateTime.utc().plus({ seconds: 3 }).startOf('minute').plus({ minutes: 1 });
      const settings = { studyTimezone: 'UTC', studyDayStart: boundary.toFormat('HH:mm') };
      const keyPrefix = `t:boundary:${Date.now()}:`;
      const a = await start(engine, { ...settings, keyPrefix }, systemClock);
      const b = await start(engine, { ...settings, keyPrefix }, systemClock);
      const closedOnA = await subscribe(a, wsClient(a), DAY_CLOSED);
      const closedOnB = await subscribe(b, wsClient(b), DAY_CLOSED);
      const dayBefore = boundary.minus({ days: 1 }).toISODate()!;
      const dayAfter = boundary.toISODate()!;

      await gql(a.url, START_TIMER, { input: { userId: 'u1', roomId: 'r1' } });
      const startedAt = Date.now();
      await sleep(boundary.toMillis() - Date.now() + 2_000);
      await gql(b.url, STOP_TIMER, { input: { userId: 'u1' } });
      const stoppedAt = Date.now();

      const before = (await gql(b.url, STUDY_TIME, { userId: 'u1', day: dayBefore })).data?.studyTime;
      const after = (await gql(a.url, STUDY_TIME, { userId: 'u1', day: dayAfter })).data?.studyTime;
      const expectedBefore = Math.floor(boundary.toMillis() / 1000) - Math.floor(startedAt / 1000);
      expect(Math.abs(before.seconds - expectedBefore)).toBeLessThanOrEqual(1);
      const elapsed = Math.floor(stoppedAt / 1000) - Math.floor(startedAt / 1000);
      expect(Math.abs(before.seconds + after.seconds - elapsed)).toBeLessThanOrEqual(1);
      expect(after.seconds).toBeGreaterThanOrEqual(1); // the part after the boundary went to the new day
      expect(before.running || after.running).toBe(false);

      const onDay = (results: Array<{ data?: any }>) => results.filter((r) => r.data?.studyDayClosed.day === dayBefore);
      await sleep(1_500);
      for (const stream of [closedOnA, closedOnB]) {
        const closed = onDay(stream.events);
        expect(closed).toHaveLength(1);
        expect(closed[0]?.data?.studyDayClosed).toMatchObject({ day: dayBefore, users: 1 });
      }
    },
    90_000,
  );
});

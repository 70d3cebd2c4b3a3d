import { describe, expect, it } from 'vitest';
import type { ConnectSessionArgs } from '../../src/state/service.js';
import { topics } from '../../src/state/topics.js';
import type { SessionItem } from '../../src/state/types.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

const GUILDS = ['g1', 'g2', 'g3'];

/**
 * 260 connects over 40 users (so a user's sessions fall in different chunks
 * of 100), retries, a changed session, rooms and two nodes.
 */
function connects(): ConnectSessionArgs[] {
  const out: ConnectSessionArgs[] = [];
  for (let i = 0; i < 240; i++) {
    const user = i % 40;
    out.push({ sessionId: `s${i}`, userId: `u${user}`, guildIds: [GUILDS[user % 3]!, GUILDS[(user + i) % 3]!], roomId: i % 7 === 0 ? `r${user % 2}` : null, nodeId: i % 2 ? 'gw-1' : null });
  }
  out.push({ ...out[10]! }); // a retry: no change
  out.push({ ...out[11]!, guildIds: ['g3'] }); // a changed session: guilds lost and gained
  for (let i = 0; i < 18; i++) out.push({ sessionId: `t${i}`, userId: `v${i}`, guildIds: ['g1'] });
  return out;
}
const disconnects = () => [...connects().map((c) => c.sessionId).filter((_, i) => i % 3 !== 1), 's5', 'never-seen'];

describe.each(engineNames)('batch ingest contract (%s engine)', (engine) => {
  const { setup, watch } = useEngine(engine);

  /** A fresh state whose every presence and room topic is recorded. */
  async function recorded() {
    const t = await setup();
    const users = [...new Set(connects().map((c) => String(c.userId)))];
    const streams = new Map<string, Awaited<ReturnType<typeof watch<{ userId: string }>>>>();
    for (const g of GUILDS) streams.set(`guild ${g}`, await watch(t.bus.subscribe([topics.presenceGuild(g)])));
    for (const u of users) streams.set(`user ${u}`, await watch(t.bus.subscribe([topics.presenceUser(u)])));
    for (const r of ['r0', 'r1']) streams.set(`room ${r}`, await watch(t.bus.subscribe([topics.room(r)])));
    // Per topic and user, in order: items of different users in one batch are as concurrent calls
    // (on a Cluster a guild applies them partition by partition), one user's in item order.
    const events = async () => {
      const out: Record<string, unknown[]> = {};
      let quiet = engine === 'memory' ? 20 : 300; // once every stream is quiet, the rest is there
      for (const [name, stream] of streams) {
        for (const event of await stream.settle(quiet)) (out[`${name} / ${event.userId}`] ??= []).push(event);
        quiet = 0;
      }
      return out;
    };
    return { ...t, users, events };
  }

  it('answers and publishes exactly what the single calls do, item by item', async () => {
    const single = await recorded();
    const singleConnects = [];
    for (const input of connects()) singleConnects.push(await single.service.connectSession(input));
    single.clock.advance(1_000);
    const singleDisconnects = [];
    for (const id of disconnects()) singleDisconnects.push(await single.service.disconnectSession(id));

    const batch = await recorded();
    const batchConnects = await batch.service.connectSessions(connects());
    batch.clock.advance(1_000);
    const batchDisconnects = await batch.service.disconnectSessions(disconnects());

    expect(batchConnects).toEqual(singleConnects.map((result) => ({ result, error: null })));
    expect(batchDisconnects).toEqual(singleDisconnects.map((result) => ({ result, error: null })));
    // Positions are stream ids, which differ between the two runs' logs; everything else matches.
    const unpositioned = (byTopic: Record<string, unknown[]>) =>
      Object.fromEntries(Object.entries(byTopic).map(([topic, list]) => [topic, list.map((e) => ({ ...(e as object), position: typeof (e as { position?: unknown }).position }))]));
    const [a, b] = [unpositioned(await single.events()), unpositioned(await batch.events())];
    expect(b).toEqual(a);
    expect(Object.values(a).flat().length).toBeGreaterThan(80);
    expect(await batch.service.connectionStates(batch.users)).toEqual(await single.service.connectionStates(single.users));
  }, 60_000);

  it('gives an invalid or refused item its own error and applies the others', async () => {
    const { service } = await setup();
    await service.connectSession({ sessionId: 'taken', userId: 'owner' });
    const items = await service.connectSessions([
      { sessionId: 'a1', userId: 'a', guildIds: ['g1'] },
      { sessionId: '', userId: 'b' },
      { sessionId: 'taken', userId: 'c' },
      { sessionId: 'd1', userId: 'd', guildIds: ['x\ny'] },
      { sessionId: 'e1', userId: 'e' },
    ]);
    const errors = items.map((item: SessionItem) => item.error);
    expect(errors).toEqual([
      null,
      { code: 'BAD_USER_INPUT', message: 'inputs[1].sessionId must be 1-128 printable characters' },
      { code: 'BAD_USER_INPUT', message: 'session taken belongs to another user' },
      { code: 'BAD_USER_INPUT', message: expect.stringMatching(/^inputs\[3\]\.guildIds\[0\] must be/) },
      null,
    ]);
    expect(items[0]!.result).toMatchObject({ changed: true, connection: { state: 'ONLINE' } });
    expect((await service.connectionStates(['a', 'b', 'c', 'd', 'e', 'owner'])).map((c) => c.state)).toEqual(['ONLINE', 'OFFLINE', 'OFFLINE', 'OFFLINE', 'ONLINE', 'ONLINE']);

    const closed = await service.disconnectSessions(['a1', 'bad\u0000id', 'a1']);
    expect(closed.map((item) => item.error?.code ?? item.result?.changed)).toEqual([true, 'BAD_USER_INPUT', false]);
    expect(await service.connectSessions([])).toEqual([]);
  });

  it('refuses more than 1,000 items as a whole, applying none', async () => {
    const { service } = await setup();
    const inputs = Array.from({ length: 1_001 }, (_, i) => ({ sessionId: `s${i}`, userId: `u${i}` }));
    await expect(service.connectSessions(inputs)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: 'inputs holds at most 1000 items, got 1001' });
    await expect(service.disconnectSessions(inputs.map((i) => i.sessionId))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await service.connectionStates(['u0', 'u1000'])).map((c) => c.state)).toEqual(['OFFLINE', 'OFFLINE']);
  });

  it('closes in a batch a last session whose study timer began before yesterday, crediting every day', async () => {
    const { service, clock } = await setup();
    await service.connectSessions([{ sessionId: 'old', userId: 'u1' }, { sessionId: 'new', userId: 'u2' }]);
    await service.startStudyTimer({ userId: 'u1' });
    clock.advance(3 * 86_400_000);
    const closed = await service.disconnectSessions(['old', 'new']);
    expect(closed.map((item) => item.result?.connection?.state)).toEqual(['OFFLINE', 'OFFLINE']);
    expect((await service.studyTime('u1')).running).toBe(false);
    const day = (offset: number) => new Date(clock.now() - offset * 86_400_000).toISOString().slice(0, 10);
    expect((await service.studyTime('u1', day(1))).seconds).toBe(86_400);
  });
});

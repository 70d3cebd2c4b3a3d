import { describe, expect, it } from 'vitest';
import { byteOrder } from '../../src/state/records.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

type Service = Awaited<ReturnType<ReturnType<typeof useEngine>['setup']>>['service'];

/** Every page of a guild's online members, running `between` after each page. */
async function pageAll(service: Service, guildId: string, first: number, between: (page: number) => Promise<void> = async () => {}) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; ; page++) {
    const result = await service.onlineMembers(guildId, first, after);
    expect(result.entries.length).toBeLessThanOrEqual(first);
    seen.push(...result.entries.map((e) => e.userId));
    if (!result.hasNextPage) return seen;
    after = result.endCursor;
    await between(page);
  }
}

describe.each(engineNames)('onlineMembers contract (%s engine)', (engine) => {
  const { setup } = useEngine(engine);

  it('pages the online view in id order, with status and platforms, consistent with the counts', async () => {
    const { service } = await setup();
    for (let i = 0; i < 25; i++) {
      await service.connectSession({ sessionId: `s${i}`, userId: `u${String(i).padStart(2, '0')}`, guildIds: ['g1'], platform: i % 2 ? 'MOBILE' : 'WEB', activity: i % 3 ? 'ACTIVE' : 'IDLE' });
    }
    await service.setUserStatus({ userId: 'u01', status: 'DND', customStatus: { text: 'busy' } });
    await service.setUserStatus({ userId: 'u02', status: 'INVISIBLE' });
    await service.connectSession({ sessionId: 'other', userId: 'elsewhere', guildIds: ['g2'] });

    const first = await service.onlineMembers('g1', 10, null);
    expect(first.hasNextPage).toBe(true);
    expect(first.entries.slice(0, 3)).toEqual([
      { userId: 'u00', status: 'IDLE', platforms: ['WEB'], customStatus: null },
      { userId: 'u01', status: 'DND', platforms: ['MOBILE'], customStatus: { text: 'busy', emoji: null, expiresAt: null } },
      { userId: 'u03', status: 'IDLE', platforms: ['MOBILE'], customStatus: null },
    ]);
    const all = await pageAll(service, 'g1', 10);
    expect(all).toEqual([...all].sort(byteOrder));
    expect(all).toHaveLength(24);
    expect(all).not.toContain('u02');
    expect((await service.guildPresence('g1')).onlineCount).toBe(all.length);
    expect(await service.onlineMembers('empty', 10, null)).toEqual({ guildId: 'empty', entries: [], endCursor: null, hasNextPage: false });
  });

  it('lists every member who stays online exactly once while others join and leave between pages', async () => {
    const { service } = await setup();
    let x = engine.length * 104729;
    const next = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
    const stayers = new Set<string>();
    const churn: string[] = [];
    for (let i = 0; i < 120; i++) {
      const userId = `p${next(100_000).toString(36)}-${i}`;
      await service.connectSession({ sessionId: `ps${i}`, userId, guildIds: ['gp'] });
      if (i % 3 === 0) churn.push(`ps${i}`);
      else stayers.add(userId);
    }
    let added = 0;
    const seen = await pageAll(service, 'gp', 17, async () => {
      // Between pages: some leave, newcomers join anywhere in the order.
      for (let k = 0; k < 3 && churn.length > 0; k++) await service.disconnectSession(churn.splice(next(churn.length), 1)[0]!);
      for (let k = 0; k < 3; k++) await service.connectSession({ sessionId: `new${added}`, userId: `p${next(100_000).toString(36)}-n${added++}`, guildIds: ['gp'] });
    });
    expect(new Set(seen).size).toBe(seen.length);
    for (const userId of stayers) expect(seen, userId).toContain(userId);
  });

  it('refuses a bad page size, cursor or guild with BAD_USER_INPUT', async () => {
    const { service } = await setup();
    for (const call of [
      () => service.onlineMembers('g1', 0, null),
      () => service.onlineMembers('g1', 1001, null),
      () => service.onlineMembers('g1', 1.5, null),
      () => service.onlineMembers('g1', 10, 'not a cursor!'),
      () => service.onlineMembers('', 10, null),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});

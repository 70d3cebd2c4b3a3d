import { describe, expect, it } from 'vitest';
import { until } from '../utils/collect.js';
import { rawSse } from '../utils/load.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

const service = bearer(SERVICE_TOKEN);
const CONNECT = 'mutation ($input: ConnectSessionInput!) { connectSession(input: $input) { changed session { activity platform } connection { status platforms } } }';
const SET_STATUS = `mutation ($input: SetUserStatusInput!) {
  setUserStatus(input: $input) { userId state status platforms customStatus { text emoji expiresAt } }
}`;
const SET_ACTIVITY = 'mutation ($input: SetSessionActivityInput!) { setSessionActivity(input: $input) { changed session { activity } connection { status } } }';
const STATES = 'query ($ids: [ID!]!) { connectionStates(userIds: $ids) { userId state status platforms sessionCount lastSeenAt customStatus { text } } }';
const STATUS_STREAM = `subscription { presenceChanged(guildId: "gs", statusChanges: true) {
  userId state previousState status previousStatus platforms customStatus { text emoji }
} }`;

describe.each(['redis', 'cluster'] as const)('status over GraphQL, through two instances (%s)', (engine) => {
  const { startPair, wsClient, subscribe } = useServers();

  it("delivers status changes over graphql-ws and SSE to a member's token, with invisible as OFFLINE", async () => {
    const [a, b] = await startPair({ auth: authConfig() }, engine);
    const member = await userToken({ sub: 'viewer', guilds: ['gs'] });
    const overWs = await subscribe(a, wsClient(a, { authorization: `Bearer ${member}` }), STATUS_STREAM);
    const sse = rawSse(a.base, STATUS_STREAM, undefined, bearer(member));
    await sse.ready;

    const opened = await gql(b.url, CONNECT, { input: { sessionId: 'st-1', userId: 'su', guildIds: ['gs'], platform: 'DESKTOP' } }, service);
    expect(opened.data?.connectSession).toEqual({ changed: true, session: { activity: 'ACTIVE', platform: 'DESKTOP' }, connection: { status: 'ONLINE', platforms: ['DESKTOP'] } });
    expect((await gql(b.url, SET_ACTIVITY, { input: { sessionId: 'st-1', activity: 'IDLE' } }, service)).data?.setSessionActivity).toEqual({
      changed: true,
      session: { activity: 'IDLE' },
      connection: { status: 'IDLE' },
    });
    const dnd = await gql(b.url, SET_STATUS, { input: { userId: 'su', status: 'DND', customStatus: { text: 'exams', emoji: '📚' } } }, service);
    expect(dnd.data?.setUserStatus).toEqual({ userId: 'su', state: 'ONLINE', status: 'DND', platforms: ['DESKTOP'], customStatus: { text: 'exams', emoji: '📚', expiresAt: null } });
    const hidden = await gql(b.url, SET_STATUS, { input: { userId: 'su', status: 'INVISIBLE' } }, service);
    expect(hidden.data?.setUserStatus).toMatchObject({ state: 'ONLINE', status: 'INVISIBLE' });

    const expected = [
      { userId: 'su', state: 'ONLINE', previousState: 'OFFLINE', status: 'ONLINE', previousStatus: 'OFFLINE', platforms: ['DESKTOP'], customStatus: null },
      { userId: 'su', state: 'ONLINE', previousState: 'ONLINE', status: 'IDLE', previousStatus: 'ONLINE', platforms: ['DESKTOP'], customStatus: null },
      { userId: 'su', state: 'ONLINE', previousState: 'ONLINE', status: 'DND', previousStatus: 'IDLE', platforms: ['DESKTOP'], customStatus: { text: 'exams', emoji: '📚' } },
      { userId: 'su', state: 'OFFLINE', previousState: 'ONLINE', status: 'OFFLINE', previousStatus: 'DND', platforms: [], customStatus: null },
    ];
    expect((await overWs.take(4)).map((r) => r.data?.presenceChanged)).toEqual(expected);
    await until(() => sse.lastFrames(10).length >= 4, 5_000, 'four SSE events');
    expect(sse.lastFrames(10).map((f) => (JSON.parse(f.data) as { data: { presenceChanged: unknown } }).data.presenceChanged)).toEqual(expected);
    sse.close();
  });

  it('shows services the truth and users the view, and refuses bad input and user tokens', async () => {
    const [a, b] = await startPair({ auth: authConfig() }, engine);
    await gql(a.url, CONNECT, { input: { sessionId: 'st-2', userId: 'ghost', guildIds: ['gs'], platform: 'WEB' } }, service);
    await gql(a.url, SET_STATUS, { input: { userId: 'ghost', status: 'INVISIBLE', customStatus: { text: 'shh' } } }, service);
    const member = bearer(await userToken({ sub: 'viewer', guilds: ['gs'] }));

    const truth = await gql(b.url, STATES, { ids: ['ghost'] }, service);
    expect(truth.data?.connectionStates).toEqual([{ userId: 'ghost', state: 'ONLINE', status: 'INVISIBLE', platforms: ['WEB'], sessionCount: 1, lastSeenAt: null, customStatus: { text: 'shh' } }]);
    const seen = await gql(b.url, STATES, { ids: ['ghost'] }, member);
    expect(seen.data?.connectionStates).toEqual([{ userId: 'ghost', state: 'OFFLINE', status: 'OFFLINE', platforms: [], sessionCount: 0, lastSeenAt: expect.any(String), customStatus: null }]);
    expect((await gql(b.url, 'query { guildPresence(guildId: "gs") { onlineCount } }', {}, member)).data?.guildPresence).toEqual({ onlineCount: 0 });

    expect(codeOf(await gql(b.url, SET_STATUS, { input: { userId: 'viewer', status: 'DND' } }, member))).toBe('FORBIDDEN');
    expect(codeOf(await gql(b.url, SET_ACTIVITY, { input: { sessionId: 'st-2', activity: 'IDLE' } }, member))).toBe('FORBIDDEN');
    for (const input of [
      { userId: 'ghost', status: 'IDLE' },
      { userId: 'ghost', status: 'DND', customStatus: { text: 'x'.repeat(129) } },
      { userId: 'ghost', status: 'DND', customStatus: { text: 'late', expiresAt: '2020-01-01T00:00:00Z' } },
      { userId: 'ghost', status: 'DND', customStatus: {} },
    ]) {
      expect(codeOf(await gql(b.url, SET_STATUS, { input }, service)), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await gql(b.url, SET_STATUS, { input: { userId: 'ghost', status: 'AWAY' } }, service))).toBe('BAD_USER_INPUT');
    // Nothing changed.
    expect((await gql(a.url, STATES, { ids: ['ghost'] }, service)).data?.connectionStates[0]).toMatchObject({ status: 'INVISIBLE', customStatus: { text: 'shh' } });
  });

  it('pages online members over HTTP for members of the guild only', async () => {
    const [a, b] = await startPair({ auth: authConfig() }, engine);
    for (let i = 0; i < 5; i++) await gql(a.url, CONNECT, { input: { sessionId: `om-${i}`, userId: `om${i}`, guildIds: ['gm'], platform: 'WEB' } }, service);
    await gql(a.url, SET_STATUS, { input: { userId: 'om3', status: 'INVISIBLE' } }, service);
    const PAGE = 'query ($g: ID!, $after: String) { onlineMembers(guildId: $g, first: 2, after: $after) { entries { userId status platforms } endCursor hasNextPage } }';
    const member = bearer(await userToken({ sub: 'viewer', guilds: ['gm'] }));
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { entries: Array<{ userId: string; status: string; platforms: string[] }>; endCursor: string; hasNextPage: boolean } = (await gql(b.url, PAGE, { g: 'gm', after }, member)).data?.onlineMembers;
      ids.push(...page.entries.map((e: { userId: string }) => e.userId));
      expect(page.entries.every((e: { status: string; platforms: string[] }) => e.status === 'ONLINE' && e.platforms[0] === 'WEB')).toBe(true);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(ids).toEqual(['om0', 'om1', 'om2', 'om4']);
    const outsider = bearer(await userToken({ sub: 'outsider', guilds: ['other'] }));
    expect(codeOf(await gql(b.url, PAGE, { g: 'gm' }, outsider))).toBe('FORBIDDEN');
    expect(codeOf(await gql(b.url, 'query { onlineMembers(guildId: "gm", first: 5000) { hasNextPage } }', {}, service))).toBe('BAD_USER_INPUT');
  });

  it('explains why a user is online, to services only', async () => {
    const [a, b] = await startPair({ auth: authConfig() }, engine);
    await gql(a.url, CONNECT, { input: { sessionId: 'ex-1', userId: 'why', guildIds: ['gs'], nodeId: 'gw-9', platform: 'MOBILE' } }, service);
    const EXPLAIN = `query ($u: ID!) { presenceExplain(userId: $u) {
      connection { state status } chosenStatus sessions { sessionId nodeId platform activity leaseExpiresAt } pendingDueAt lastClosed { sessionId } voice { channelId }
    } }`;
    const answer = await gql(b.url, EXPLAIN, { u: 'why' }, service);
    expect(answer.data?.presenceExplain).toEqual({
      connection: { state: 'ONLINE', status: 'ONLINE' },
      chosenStatus: 'ONLINE',
      sessions: [{ sessionId: 'ex-1', nodeId: 'gw-9', platform: 'MOBILE', activity: 'ACTIVE', leaseExpiresAt: expect.any(String) }],
      pendingDueAt: null,
      lastClosed: null,
      voice: null,
    });
    const member = bearer(await userToken({ sub: 'viewer', guilds: ['gs'] }));
    expect(codeOf(await gql(b.url, EXPLAIN, { u: 'why' }, member))).toBe('FORBIDDEN');
    expect(codeOf(await gql(b.url, EXPLAIN, { u: '' }, service))).toBe('BAD_USER_INPUT');
  });
});

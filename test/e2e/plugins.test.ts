import { getOperationAST, GraphQLError, type DocumentNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { until } from '../utils/collect.js';
import { rawSse } from '../utils/load.js';
import { gql, useServers } from '../utils/server.js';

const named = (args: { document: DocumentNode; operationName?: string | null }) => getOperationAST(args.document, args.operationName)?.name?.value;
const refused = () => new GraphQLError('refused by a plugin', { extensions: { code: 'FORBIDDEN' } });

/**
 * A plugin the server does not know: it refuses operations named Refused
 * and marks every result and every subscription event with an extension.
 */
const marking: Plugin = {
  onExecute({ args, setResultAndStopExecution }) {
    if (named(args) === 'Refused') return setResultAndStopExecution({ errors: [refused()] });
    return {
      onExecuteDone: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult({ ...result, extensions: { ...result.extensions, marked: true } });
      },
    };
  },
  onSubscribe({ args, setResultAndStopExecution }) {
    if (named(args) === 'Refused') return setResultAndStopExecution({ errors: [refused()] });
    return { onSubscribeResult: () => ({ onNext: ({ result, setResult }) => setResult({ ...result, extensions: { ...result.extensions, marked: true } }) }) };
  },
};

const QUERY = 'query Q { connectionStates(userIds: ["u1"]) { userId state } }';
const REFUSED = 'query Refused { connectionStates(userIds: ["u1"]) { userId } }';
const ROOM = 'subscription S { roomEvents(roomId: "r1") { type alertCount } }';
const PUBLISH = 'mutation P($i: Int!) { publishRoomEvent(input: { type: ALERT, roomId: "r1", userId: "u1", alertCount: $i }) { at } }';

describe('a yoga plugin added to the server takes effect on every path', () => {
  const { start, wsClient, subscribe } = useServers();

  it('HTTP, graphql-ws and SSE, queries and subscriptions, on every repeat of a text', { timeout: 30_000 }, async () => {
    const server = await start('memory', {}, undefined, { plugins: [marking] });
    const ws = wsClient(server);
    const overWs = (query: string, variables?: Record<string, unknown>) =>
      new Promise<any>((resolve) => {
        let last: unknown;
        ws.subscribe({ query, variables }, { next: (r) => (last = r), error: (e) => resolve({ errors: e }), complete: () => resolve(last) });
      });
    // Repeats: the third call of a text is where the prepared paths used to take over.
    for (let i = 0; i < 4; i++) {
      const http = await gql(server.url, QUERY);
      expect(http).toMatchObject({ data: { connectionStates: [{ userId: 'u1', state: 'OFFLINE' }] }, extensions: { marked: true } });
      expect((await gql(server.url, REFUSED)).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await overWs(QUERY)).toMatchObject({ extensions: { marked: true } });
      expect((await overWs(REFUSED)).errors?.map((e: any) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      // Plain JSON accept: what the HTTP fast path takes.
      const plain = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
      expect(await plain.json()).toMatchObject({ extensions: { marked: true } });
    }

    const events = await subscribe(server, wsClient(server), ROOM);
    const sse = rawSse(server.base, ROOM);
    await sse.ready;
    await until(() => server.app.state.bus.activeSubscriptions() === 2, 5_000, 'both subscriptions');
    expect((await overWs('subscription Refused { roomEvents(roomId: "r1") { type } }')).errors?.map((e: any) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    await gql(server.url, PUBLISH, { i: 1 });
    const [event] = await events.take(1, 5_000);
    expect(event).toMatchObject({ data: { roomEvents: { type: 'ALERT', alertCount: 1 } }, extensions: { marked: true } });
    await until(() => sse.nexts() === 1, 5_000, 'the SSE event');
    expect(JSON.parse(sse.lastFrames(1)[0]!.data)).toMatchObject({ data: { roomEvents: { alertCount: 1 } }, extensions: { marked: true } });
    sse.close();
  });

  it('turns the prepared and shared paths off only for a plugin it does not know, and says so', async () => {
    const lines = (plugins: Plugin[]) => {
      const said: string[] = [];
      const logger = { debug() {}, info: (msg: string) => said.push(msg), warn() {}, error() {} };
      return start('memory', {}, undefined, { plugins, logger }).then(() => said.filter((m) => m.includes('prepared operations')));
    };
    expect(await lines([])).toEqual([]);
    expect(await lines([marking])).toEqual([expect.stringMatching(/prepared operations and shared subscriptions are off/)]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { useServers } from '../utils/server.js';
import { bearer, SERVICE_TOKEN } from '../utils/tokens.js';

// Where graphql-js points these errors: the field that failed, the variable that is missing.
const cases: Array<[string, string, Record<string, unknown>, { line: number; column: number }]> = [
  ['a resolver error', 'mutation {\n  connectSession(input: { sessionId: "", userId: "u", guildIds: [] }) { changed }\n}', {}, { line: 2, column: 3 }],
  ['a missing variable', 'query($u: ID!) {\n  studyTime(userId: $u) { seconds }\n}', {}, { line: 1, column: 7 }],
];

type Shown = { errors?: Array<{ locations?: unknown; extensions?: { code?: string } }> };

async function overHttp(url: string, query: string, variables: Record<string, unknown>, accept: string): Promise<Shown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...bearer(SERVICE_TOKEN) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Shown;
}

const overWs = (client: Client, query: string, variables: Record<string, unknown>) =>
  new Promise<Shown>((resolve, reject) => {
    let first: Shown | undefined;
    client.subscribe({ query, variables }, { next: (value) => (first ??= value as Shown), error: reject, complete: () => resolve(first ?? {}) });
  });

describe('errors of compiled operations point into the document on every path', () => {
  const { start, wsClient } = useServers();

  it.each(cases)('%s', async (_name, query, variables, location) => {
    const server = await start('memory');
    const client = wsClient(server, { authorization: `Bearer ${SERVICE_TOKEN}` });
    const answers: Shown[] = [];
    // Round 1 runs yoga's pipeline, round 2 prepares the text, round 3 runs it prepared;
    // graphql-response+json is always answered by yoga itself.
    for (let round = 1; round <= 3; round++) {
      answers.push(await overHttp(server.url, query, variables, 'application/json'));
      answers.push(await overHttp(server.url, query, variables, 'application/graphql-response+json'));
      answers.push(await overWs(client, query, variables));
    }
    for (const answer of answers) {
      expect(answer.errors).toEqual([expect.objectContaining({ locations: [location], extensions: { code: 'BAD_USER_INPUT' } })]);
    }
  });
});

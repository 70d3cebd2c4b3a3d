import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/** GraphiQL as it opens: runnable as they stand, a query with its variables, a subscription to watch while a mutation runs. */
export const graphiqlOptions = {
  subscriptionsProtocol: 'WS' as const,
  title: 'state-server',
  defaultTabs: [
    {
      query: `query States($userIds: [ID!]!, $guildId: ID!) {
  connectionStates(userIds: $userIds) { userId state sessionCount roomId lastSeenAt }
  channelStates(guildId: $guildId) { channelId userIds }
}
`,
      variables: JSON.stringify({ userIds: ['42', '43'], guildId: 'g1' }, null, 2),
    },
    {
      query: `# Start this, then run connectSession in another tab.
subscription Presence($guildId: ID!) {
  presenceChanged(guildId: $guildId, includeSnapshot: true) { userId state sessionCount snapshot at }
}
`,
      variables: JSON.stringify({ guildId: 'g1' }, null, 2),
    },
    {
      query: `mutation Connect($input: ConnectSessionInput!) {
  connectSession(input: $input) { changed connection { userId state sessionCount } }
}
`,
      variables: JSON.stringify({ input: { sessionId: 'graphiql-1', userId: '42', guildIds: ['g1'] } }, null, 2),
    },
  ],
  defaultEditorToolsVisibility: 'variables' as const,
  isHeadersEditorEnabled: true, // with auth on: {"Authorization": "Bearer <token>"}
};

// The page is 9 MB (GraphiQL and its editor workers inlined); it depends only on the options above, so it is built once.
let rendered: string | undefined;
export const renderGraphiQLOnce = (options: Parameters<typeof renderGraphiQL>[0]) => (rendered ??= renderGraphiQL(options));

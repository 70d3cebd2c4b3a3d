/** Operations shared by the end-to-end tests. */

export const CONNECT = /* GraphQL */ `
  mutation Connect($input: ConnectSessionInput!) {
    connectSession(input: $input) {
      changed
      session { sessionId userId guildIds roomId nodeId connectedAt }
      connection { userId state sessionCount roomId lastSeenAt }
    }
  }
`;

export const DISCONNECT = /* GraphQL */ `
  mutation Disconnect($sessionId: ID!) {
    disconnectSession(sessionId: $sessionId) {
      changed
      connection { userId state sessionCount lastSeenAt }
    }
  }
`;

export const JOIN = /* GraphQL */ `
  mutation Join($input: VoiceChannelInput!) {
    joinVoiceChannel(input: $input) { changed type guildId channelId previousChannelId userId at }
  }
`;

export const LEAVE = /* GraphQL */ `
  mutation Leave($input: VoiceChannelInput!) {
    leaveVoiceChannel(input: $input) { changed type guildId channelId previousChannelId userId at }
  }
`;

export const STATES = /* GraphQL */ `
  query States($userIds: [ID!]!, $guildId: ID!) {
    connectionStates(userIds: $userIds) { userId state sessionCount roomId lastSeenAt }
    channelStates(guildId: $guildId) { guildId channelId userIds }
  }
`;

export const PRESENCE = /* GraphQL */ `
  subscription Presence($guildId: ID, $userIds: [ID!]) {
    presenceChanged(guildId: $guildId, userIds: $userIds) { userId state previousState sessionCount guildIds at }
  }
`;

export const VOICE = /* GraphQL */ `
  subscription Voice($guildId: ID!) {
    channelStateChanged(guildId: $guildId) { changed type guildId channelId previousChannelId userId }
  }
`;

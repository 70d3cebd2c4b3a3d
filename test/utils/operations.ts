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

export const STUDY_TIME = /* GraphQL */ `
  query StudyTime($userId: ID!, $day: Date) {
    studyTime(userId: $userId, day: $day) { userId day seconds formatted running }
  }
`;

export const START_TIMER = /* GraphQL */ `
  mutation Start($input: StudyTimerInput!) { startStudyTimer(input: $input) { day seconds running } }
`;

export const STOP_TIMER = /* GraphQL */ `
  mutation Stop($input: StudyTimerInput!) { stopStudyTimer(input: $input) { day seconds running } }
`;

export const SAVE = /* GraphQL */ `
  mutation Save($input: SaveStudyTimeInput!) { saveStudyTime(input: $input) { userId day seconds formatted } }
`;

export const SYNC = /* GraphQL */ `
  mutation Sync($input: SyncStudyTimesInput!) { syncStudyTimes(input: $input) { updated day } }
`;

export const REPORT = /* GraphQL */ `
  query Report($day: Date!, $first: Int, $after: String) {
    studyReport(day: $day, first: $first, after: $after) {
      day endCursor hasNextPage entries { userId seconds formatted }
    }
  }
`;

export const ROOM_EVENT = /* GraphQL */ `
  mutation Room($input: RoomEventInput!) {
    publishRoomEvent(input: $input) { type roomId userId targetUserId alertCount message at }
  }
`;

export const ROOM_EVENTS = /* GraphQL */ `
  subscription Rooms($roomId: ID) { roomEvents(roomId: $roomId) { type roomId userId targetUserId alertCount } }
`;

export const DAY_CLOSED = /* GraphQL */ `
  subscription { studyDayClosed { day users totalSeconds } }
`;

export const STUDY_CHANGED = /* GraphQL */ `
  subscription Changed($userId: ID!) { studyTimeChanged(userId: $userId) { day seconds formatted running } }
`;

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaFile } from '../../src/schema/print.js';

describe('schema.graphql', () => {
  it('matches the Pothos schema (run `npm run schema` after changing it)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaFile());
  });

  it('keeps the names the calling services are written against', () => {
    const sdl = printSchemaFile();
    for (const line of [
      'connectionStates(userIds: [ID!]!): [UserConnection!]!',
      'channelStates(guildId: ID!): [VoiceChannel!]!',
      'session(sessionId: ID!): Session',
      'connectSession(input: ConnectSessionInput!): SessionResult!',
      'disconnectSession(sessionId: ID!): SessionResult!',
      'joinVoiceChannel(input: VoiceChannelInput!): VoiceStateChange!',
      'leaveVoiceChannel(input: VoiceChannelInput!): VoiceStateChange!',
      'presenceChanged(guildId: ID, userIds: [ID!]): PresenceEvent!',
      'channelStateChanged(guildId: ID!): VoiceStateChange!',
    ]) {
      expect(sdl).toContain(line);
    }
  });
});

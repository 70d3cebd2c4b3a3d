import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { printSchemaFile } from '../../src/schema/print.js';

/** `name(arg: Type, ...): Type` of a root field, from the schema itself. */
const signature = (root: 'Query' | 'Mutation' | 'Subscription', name: string) => {
  const field = schema.getType(root) && (schema.getType(root) as any).getFields()[name];
  if (!field) return `${name}: missing`;
  const args = field.args.map((a: { name: string; type: unknown }) => `${a.name}: ${String(a.type)}`).join(', ');
  return `${name}(${args}): ${String(field.type)}`;
};

describe('schema.graphql', () => {
  it('matches the Pothos schema (run `npm run schema` after changing it)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaFile());
  });

  it('keeps the names the calling services are written against (SPEC section 3)', () => {
    expect(signature('Query', 'connectionStates')).toBe('connectionStates(userIds: [ID!]!): [UserConnection!]!');
    expect(signature('Query', 'channelStates')).toBe('channelStates(guildId: ID!): [VoiceChannel!]!');
    expect(signature('Query', 'studyTime')).toBe('studyTime(userId: ID!, day: Date): StudyTime!');
    expect(signature('Query', 'studyReport')).toBe('studyReport(day: Date!, first: Int, after: String): StudyReportPage!');
    expect(signature('Query', 'session')).toBe('session(sessionId: ID!): Session');
    for (const [name, input, out] of [
      ['connectSession', 'ConnectSessionInput', 'SessionResult'],
      ['joinVoiceChannel', 'VoiceChannelInput', 'VoiceStateChange'],
      ['leaveVoiceChannel', 'VoiceChannelInput', 'VoiceStateChange'],
      ['startStudyTimer', 'StudyTimerInput', 'StudyTime'],
      ['stopStudyTimer', 'StudyTimerInput', 'StudyTime'],
      ['saveStudyTime', 'SaveStudyTimeInput', 'StudyTime'],
      ['syncStudyTimes', 'SyncStudyTimesInput', 'SyncStudyTimesResult'],
      ['publishRoomEvent', 'RoomEventInput', 'RoomEvent'],
    ]) {
      expect(signature('Mutation', name!)).toBe(`${name}(input: ${input}!): ${out}!`);
    }
    expect(signature('Mutation', 'disconnectSession')).toBe('disconnectSession(sessionId: ID!): SessionResult!');
    // Subscriptions may gain optional arguments after the fixed ones.
    expect(signature('Subscription', 'presenceChanged')).toMatch(/^presenceChanged\(guildId: ID, userIds: \[ID!\](, \w+: \w+)*\): PresenceEvent!$/);
    expect(signature('Subscription', 'channelStateChanged')).toMatch(/^channelStateChanged\(guildId: ID!(, \w+: \w+)*\): VoiceStateChange!$/);
    expect(signature('Subscription', 'roomEvents')).toBe('roomEvents(roomId: ID): RoomEvent!');
    expect(signature('Subscription', 'studyTimeChanged')).toBe('studyTimeChanged(userId: ID!): StudyTime!');
    expect(signature('Subscription', 'studyDayClosed')).toBe('studyDayClosed(): StudyDayClosed!');
  });
});

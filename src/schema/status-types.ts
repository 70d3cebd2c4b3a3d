import type { CustomStatus } from '../state/types.js';
import { CUSTOM_TEXT_MAX, EMOJI_MAX } from '../state/service/status.js';
import { builder } from './builder.js';

/** The status enums and the custom status, shared by the presence and status modules. */
export const UserStatusEnum = builder.enumType('UserStatus', {
  description: 'What a user shows: OFFLINE without a live session; DND or INVISIBLE when chosen; else ONLINE if a session is active, IDLE if all are idle. INVISIBLE is only ever shown to services; users and guild views see OFFLINE',
  values: ['ONLINE', 'IDLE', 'DND', 'INVISIBLE', 'OFFLINE'] as const,
});

export const ActivityEnum = builder.enumType('Activity', {
  description: "A session's activity, as its gateway reports it",
  values: ['ACTIVE', 'IDLE'] as const,
});

export const PlatformEnum = builder.enumType('Platform', {
  values: ['DESKTOP', 'MOBILE', 'WEB'] as const,
});

export const CustomStatusRef = builder.objectRef<CustomStatus>('CustomStatus').implement({
  fields: (t) => ({
    text: t.exposeString('text', { nullable: true }),
    emoji: t.exposeString('emoji', { nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it clears itself (an event says so); null: never' }),
  }),
});

export const CustomStatusInput = builder.inputType('CustomStatusInput', {
  description: 'A text, an emoji, or both',
  fields: (t) => ({
    text: t.string({ description: `At most ${CUSTOM_TEXT_MAX} characters, one line` }),
    emoji: t.string({ description: `A Unicode emoji or a custom emoji's name or id, at most ${EMOJI_MAX} characters` }),
    expiresAt: t.field({ type: 'DateTime', description: 'In the future; the status then clears itself' }),
  }),
});

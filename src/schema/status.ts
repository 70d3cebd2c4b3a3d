import { builder } from './builder.js';
import { SessionResultRef, UserConnectionRef } from './presence.js';
import { ActivityEnum, CustomStatusInput, UserStatusEnum } from './status-types.js';

const SetUserStatusInput = builder.inputType('SetUserStatusInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    status: t.field({ type: UserStatusEnum, required: true, description: 'ONLINE, DND or INVISIBLE; IDLE and OFFLINE are not chosen (BAD_USER_INPUT)' }),
    customStatus: t.field({ type: CustomStatusInput, description: 'Omitted: kept as it is; null: cleared' }),
  }),
});

const SetSessionActivityInput = builder.inputType('SetSessionActivityInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    activity: t.field({ type: ActivityEnum, required: true }),
  }),
});

builder.mutationFields((t) => ({
  setUserStatus: t.field({
    type: UserConnectionRef,
    description: "Sets the user's chosen status and custom status; viewers hear what they see change (going INVISIBLE is an OFFLINE to them). Answers the truth",
    args: { input: t.arg({ type: SetUserStatusInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.setUserStatus(input),
  }),
  setSessionActivity: t.field({
    type: SessionResultRef,
    description: "Sets a session's activity (its gateway saw the user idle or back); an unknown session changes nothing",
    args: { input: t.arg({ type: SetSessionActivityInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.setSessionActivity(input),
  }),
}));

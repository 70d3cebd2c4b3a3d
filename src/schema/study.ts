import { formatSeconds } from '../state/calendar.js';
import type { StudyDayClosed, StudyReportPage, StudyTime } from '../state/types.js';
import { builder } from './builder.js';

const StudyTimeRef = builder.objectRef<StudyTime>('StudyTime').implement({
  description: "A user's study time on one study day",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    day: t.expose('day', { type: 'Date' }),
    seconds: t.exposeInt('seconds', { description: '0-86400; includes a running timer' }),
    formatted: t.string({ description: 'seconds as HH:MM:SS', resolve: (time) => formatSeconds(time.seconds) }),
    running: t.exposeBoolean('running', { description: "Whether the user's study timer is running" }),
  }),
});

const StudyReportPageRef = builder.objectRef<StudyReportPage>('StudyReportPage').implement({
  fields: (t) => ({
    day: t.expose('day', { type: 'Date' }),
    entries: t.expose('entries', { type: [StudyTimeRef] }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` for the next page' }),
    hasNextPage: t.exposeBoolean('hasNextPage'),
  }),
});

const SyncStudyTimesResultRef = builder
  .objectRef<{ updated: number; day: string }>('SyncStudyTimesResult')
  .implement({
    fields: (t) => ({
      updated: t.exposeInt('updated', { description: 'How many totals rose' }),
      day: t.expose('day', { type: 'Date' }),
    }),
  });

const StudyDayClosedRef = builder.objectRef<StudyDayClosed>('StudyDayClosed').implement({
  fields: (t) => ({
    day: t.expose('day', { type: 'Date' }),
    users: t.exposeInt('users'),
    totalSeconds: t.exposeFloat('totalSeconds', { description: 'A float: a day can pass 2^31 seconds' }),
  }),
});

const StudyTimerInput = builder.inputType('StudyTimerInput', {
  fields: (t) => ({ userId: t.id({ required: true }), roomId: t.id() }),
});

const SaveStudyTimeInput = builder.inputType('SaveStudyTimeInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    seconds: t.int({ required: true, description: "The day's total, 0-86400; a lower total than recorded changes nothing" }),
    roomId: t.id({ description: 'Room the user left (leftRoom); default: their current room' }),
    leftRoom: t.boolean({ description: 'Also tell the room server the user left (ROOM_OUT)' }),
    day: t.field({ type: 'Date', description: 'Default: the current study day' }),
  }),
});

const StudyTimeEntry = builder.inputType('StudyTimeEntry', {
  fields: (t) => ({ userId: t.id({ required: true }), seconds: t.int({ required: true }) }),
});

const SyncStudyTimesInput = builder.inputType('SyncStudyTimesInput', {
  fields: (t) => ({
    entries: t.field({ type: [StudyTimeEntry], required: true, description: 'At most 1000' }),
    final: t.boolean({ description: 'Last batch for the day: an ended day is closed now' }),
    day: t.field({ type: 'Date', description: 'Default: the current study day' }),
  }),
});

builder.queryFields((t) => ({
  studyTime: t.field({
    type: StudyTimeRef,
    description: 'Default day: the current study day; 0 where there is no record',
    args: { userId: t.arg.id({ required: true }), day: t.arg({ type: 'Date' }) },
    authScopes: (_root, { userId }) => ({ self: userId }),
    resolve: (_root, { userId, day }, { state }) => state.studyTime(userId, day),
  }),
  studyReport: t.field({
    type: StudyReportPageRef,
    description: "A day's recorded totals by user id, `first` per page (default 100, at most 1000)",
    args: { day: t.arg({ type: 'Date', required: true }), first: t.arg.int(), after: t.arg.string() },
    authScopes: { service: true },
    resolve: (_root, { day, first, after }, { state }) => state.studyReport(day, first, after),
  }),
}));

builder.mutationFields((t) => ({
  startStudyTimer: t.field({
    type: StudyTimeRef,
    args: { input: t.arg({ type: StudyTimerInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.startStudyTimer(input),
  }),
  stopStudyTimer: t.field({
    type: StudyTimeRef,
    args: { input: t.arg({ type: StudyTimerInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.stopStudyTimer(input),
  }),
  saveStudyTime: t.field({
    type: StudyTimeRef,
    args: { input: t.arg({ type: SaveStudyTimeInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.saveStudyTime(input),
  }),
  syncStudyTimes: t.field({
    type: SyncStudyTimesResultRef,
    args: { input: t.arg({ type: SyncStudyTimesInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.syncStudyTimes(input),
  }),
}));

builder.subscriptionFields((t) => ({
  studyTimeChanged: t.field({
    type: StudyTimeRef,
    description: "Every change of the user's total or timer",
    args: { userId: t.arg.id({ required: true }) },
    authScopes: (_root, { userId }) => ({ self: userId }),
    subscribe: (_root, { userId }, { state }) => state.studyTimeChanged(userId),
    resolve: (time) => time,
  }),
  studyDayClosed: t.field({
    type: StudyDayClosedRef,
    description: 'Once per study day, when it closes',
    authScopes: { service: true },
    subscribe: (_root, _args, { state }) => state.studyDayClosed(),
    resolve: (closed) => closed,
  }),
}));

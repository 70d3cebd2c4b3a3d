/**
 * Writes test/fixtures/hostile-corpus.json: hostile inputs and the answer each
 * must get. Run `npx tsx scripts/hostile-corpus.ts` after changing it; the
 * JSON is the data the end-to-end test reads. `{"$repeat": [text, n]}` stands
 * for text repeated n times, so huge inputs stay small here.
 */
import { writeFileSync } from 'node:fs';

type Caller = 'service' | 'user' | 'none' | 'expired' | 'tampered';
type Json = unknown;
export type HostileCase =
  /** `code: 'none'` expects an answer without errors. */
  | { name: string; kind: 'http'; caller: Caller; query: Json; variables?: Json; operationName?: string; expect: { code: string; status?: number } }
  | { name: string; kind: 'raw-http'; method: string; path?: string; headers?: Record<string, string>; body?: Json; expect: { status: number; code?: string } }
  | { name: string; kind: 'ws'; caller: Caller; query: Json; variables?: Json; expect: { code: string } }
  | { name: string; kind: 'raw-ws'; caller: Caller | 'skip-init'; frames: Json[]; expect: { close: number } };

const repeat = (text: string, n: number) => ({ $repeat: [text, n] });
const cases: HostileCase[] = [];
const BAD = 'BAD_USER_INPUT';

// Ids: 1-128 printable characters. Each of these must be refused wherever an id goes.
const badIds: Array<[string, Json]> = [
  ['empty', ''],
  ['129 characters', repeat('x', 129)],
  ['10000 characters', repeat('x', 10_000)],
  ['a null byte', 'a\u0000b'],
  ['a newline', 'a\nb'],
  ['a tab', '\t'],
  ['a bell', 'a\u0007'],
  ['DEL', '\u007f'],
  ['a line separator', 'a\u2028b'],
  ['a paragraph separator', '\u2029'],
  ['a lone surrogate', 'a\ud800b'],
  ['a C1 control', 'a\u0085'],
  ['an escape sequence', '\u001b[31mred'],
  ['a boolean', true],
  ['an object', { id: 'x' }],
];

// Every id argument of every operation, as [operation, field, document, variables builder].
const ok = 'ok-id';
type Target = [string, string, string, (bad: Json) => Json, 'http' | 'ws'];
const idTargets: Target[] = [
  ['connectSession', 'sessionId', 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }', (b) => ({ i: { sessionId: b, userId: ok } }), 'http'],
  ['connectSession', 'userId', 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }', (b) => ({ i: { sessionId: ok, userId: b } }), 'http'],
  ['connectSession', 'guildIds[1]', 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }', (b) => ({ i: { sessionId: ok, userId: ok, guildIds: [ok, b] } }), 'http'],
  ['connectSession', 'roomId', 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }', (b) => ({ i: { sessionId: ok, userId: ok, roomId: b } }), 'http'],
  ['connectSession', 'nodeId', 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }', (b) => ({ i: { sessionId: ok, userId: ok, nodeId: b } }), 'http'],
  ['disconnectSession', 'sessionId', 'mutation($s: ID!) { disconnectSession(sessionId: $s) { changed } }', (b) => ({ s: b }), 'http'],
  ['session', 'sessionId', 'query($s: ID!) { session(sessionId: $s) { userId } }', (b) => ({ s: b }), 'http'],
  ['connectionStates', 'userIds[0]', 'query($u: [ID!]!) { connectionStates(userIds: $u) { state } }', (b) => ({ u: [b] }), 'http'],
  ['joinVoiceChannel', 'guildId', 'mutation($i: VoiceChannelInput!) { joinVoiceChannel(input: $i) { changed } }', (b) => ({ i: { guildId: b, channelId: ok, userId: ok } }), 'http'],
  ['joinVoiceChannel', 'channelId', 'mutation($i: VoiceChannelInput!) { joinVoiceChannel(input: $i) { changed } }', (b) => ({ i: { guildId: ok, channelId: b, userId: ok } }), 'http'],
  ['joinVoiceChannel', 'userId', 'mutation($i: VoiceChannelInput!) { joinVoiceChannel(input: $i) { changed } }', (b) => ({ i: { guildId: ok, channelId: ok, userId: b } }), 'http'],
  ['leaveVoiceChannel', 'channelId', 'mutation($i: VoiceChannelInput!) { leaveVoiceChannel(input: $i) { changed } }', (b) => ({ i: { guildId: ok, channelId: b, userId: ok } }), 'http'],
  ['channelStates', 'guildId', 'query($g: ID!) { channelStates(guildId: $g) { channelId } }', (b) => ({ g: b }), 'http'],
  ['studyTime', 'userId', 'query($u: ID!) { studyTime(userId: $u) { seconds } }', (b) => ({ u: b }), 'http'],
  ['startStudyTimer', 'userId', 'mutation($i: StudyTimerInput!) { startStudyTimer(input: $i) { seconds } }', (b) => ({ i: { userId: b } }), 'http'],
  ['startStudyTimer', 'roomId', 'mutation($i: StudyTimerInput!) { startStudyTimer(input: $i) { seconds } }', (b) => ({ i: { userId: ok, roomId: b } }), 'http'],
  ['stopStudyTimer', 'userId', 'mutation($i: StudyTimerInput!) { stopStudyTimer(input: $i) { seconds } }', (b) => ({ i: { userId: b } }), 'http'],
  ['saveStudyTime', 'userId', 'mutation($i: SaveStudyTimeInput!) { saveStudyTime(input: $i) { seconds } }', (b) => ({ i: { userId: b, seconds: 5 } }), 'http'],
  ['saveStudyTime', 'roomId', 'mutation($i: SaveStudyTimeInput!) { saveStudyTime(input: $i) { seconds } }', (b) => ({ i: { userId: ok, seconds: 5, roomId: b, leftRoom: true } }), 'http'],
  ['syncStudyTimes', 'entries[1].userId', 'mutation($i: SyncStudyTimesInput!) { syncStudyTimes(input: $i) { updated } }', (b) => ({ i: { entries: [{ userId: ok, seconds: 1 }, { userId: b, seconds: 1 }] } }), 'http'],
  ['publishRoomEvent', 'roomId', 'mutation($i: RoomEventInput!) { publishRoomEvent(input: $i) { type } }', (b) => ({ i: { type: 'KICK_OUT', roomId: b, userId: ok } }), 'http'],
  ['publishRoomEvent', 'targetUserId', 'mutation($i: RoomEventInput!) { publishRoomEvent(input: $i) { type } }', (b) => ({ i: { type: 'DELEGATE', roomId: ok, userId: ok, targetUserId: b } }), 'http'],
  ['presenceChanged', 'guildId', 'subscription($g: ID) { presenceChanged(guildId: $g) { state } }', (b) => ({ g: b }), 'ws'],
  ['presenceChanged', 'userIds[0]', 'subscription($u: [ID!]) { presenceChanged(userIds: $u) { state } }', (b) => ({ u: [b] }), 'ws'],
  ['channelStateChanged', 'guildId', 'subscription($g: ID!) { channelStateChanged(guildId: $g) { type } }', (b) => ({ g: b }), 'ws'],
  ['roomEvents', 'roomId', 'subscription($r: ID) { roomEvents(roomId: $r) { type } }', (b) => ({ r: b }), 'ws'],
  ['studyTimeChanged', 'userId', 'subscription($u: ID!) { studyTimeChanged(userId: $u) { seconds } }', (b) => ({ u: b }), 'ws'],
];
for (const [op, field, query, vars, kind] of idTargets) {
  for (const [label, bad] of badIds) {
    cases.push({ name: `${op} ${field}: ${label}`, kind, caller: 'service', query, variables: vars(bad), expect: { code: BAD } });
  }
}

// Unicode that is printable must be accepted; reads only, so no state changes.
for (const [label, id] of [
  ['Hangul', '사용자'],
  ['an emoji', '🎧'],
  ['128 accented letters', repeat('é', 128)],
  ['128 emoji (256 UTF-16 units)', repeat('🎧', 128)],
  ['full-width letters', 'ｆｕｌｌ'],
  ['a right-to-left override', 'abc\u202edef'],
  ['a zero-width joiner sequence', '👩\u200d💻'],
  ['spaces', ' a b '],
  ['quotes and braces', '"}{\\'],
  ['a Redis glob', 'room:*?[]'],
] as const) {
  cases.push({ name: `connectionStates accepts ${label}`, kind: 'http', caller: 'service', query: 'query($u: [ID!]!) { connectionStates(userIds: $u) { state } }', variables: { u: [id] }, expect: { code: 'none' } });
  cases.push({ name: `channelStates accepts ${label}`, kind: 'http', caller: 'service', query: 'query($g: ID!) { channelStates(guildId: $g) { channelId } }', variables: { g: id }, expect: { code: 'none' } });
}

// Numbers, days, cursors and room events out of range.
const save = 'mutation($i: SaveStudyTimeInput!) { saveStudyTime(input: $i) { seconds } }';
for (const [label, seconds] of [['-1', -1], ['86401', 86_401], ['2^31', 2 ** 31], ['1.5', 1.5], ['a string', '10'], ['null', null], ['1e100', 1e100]] as const) {
  cases.push({ name: `saveStudyTime seconds ${label}`, kind: 'http', caller: 'service', query: save, variables: { i: { userId: ok, seconds } }, expect: { code: BAD } });
}
const sync = 'mutation($i: SyncStudyTimesInput!) { syncStudyTimes(input: $i) { updated } }';
cases.push({ name: 'syncStudyTimes 1001 entries', kind: 'http', caller: 'service', query: sync, variables: { i: { entries: { $entries: 1001 } } }, expect: { code: BAD } });
cases.push({ name: 'syncStudyTimes negative seconds last', kind: 'http', caller: 'service', query: sync, variables: { i: { entries: [{ userId: 'a', seconds: 1 }, { userId: 'b', seconds: -5 }] } }, expect: { code: BAD } });
cases.push({ name: 'syncStudyTimes entries not a list of objects', kind: 'http', caller: 'service', query: sync, variables: { i: { entries: ['a'] } }, expect: { code: BAD } });
cases.push({ name: 'syncStudyTimes entries null', kind: 'http', caller: 'service', query: sync, variables: { i: { entries: null } }, expect: { code: BAD } });
for (const [label, day] of [['month 13', '2026-13-01'], ['Feb 30', '2026-02-30'], ['a word', 'yesterday'], ['empty', ''], ['an instant', '2026-11-23T00:00:00Z'], ['far future', '2999-01-01'], ['too old to write', '1999-01-01'], ['a number', 20261123], ['short year', '26-11-23']] as const) {
  cases.push({ name: `saveStudyTime day ${label}`, kind: 'http', caller: 'service', query: 'mutation($i: SaveStudyTimeInput!) { saveStudyTime(input: $i) { seconds } }', variables: { i: { userId: ok, seconds: 5, day } }, expect: { code: BAD } });
  if (label !== 'far future' && label !== 'too old to write') {
    cases.push({ name: `studyReport day ${label}`, kind: 'http', caller: 'service', query: 'query($d: Date!) { studyReport(day: $d) { hasNextPage } }', variables: { d: day }, expect: { code: BAD } });
  }
}
for (const [label, first] of [['0', 0], ['-1', -1], ['1001', 1001], ['2^40', 2 ** 40], ['a string', '10']] as const) {
  cases.push({ name: `studyReport first ${label}`, kind: 'http', caller: 'service', query: 'query($f: Int) { studyReport(day: "2026-11-23", first: $f) { hasNextPage } }', variables: { f: first }, expect: { code: BAD } });
}
for (const [label, after] of [['not base64url', '!!!'], ['empty', ''], ['huge', repeat('QQ', 2000)], ['an encoded control char', 'AA'], ['a number', 5]] as const) {
  cases.push({ name: `studyReport after ${label}`, kind: 'http', caller: 'service', query: 'query($a: String) { studyReport(day: "2026-11-23", after: $a) { hasNextPage } }', variables: { a: after }, expect: { code: BAD } });
}
const room = 'mutation($i: RoomEventInput!) { publishRoomEvent(input: $i) { type } }';
for (const [label, input] of [
  ['ROOM_OUT from a client', { type: 'ROOM_OUT', roomId: ok, userId: ok }],
  ['an unknown type', { type: 'PARTY', roomId: ok, userId: ok }],
  ['a lowercase type', { type: 'alert', roomId: ok, userId: ok, alertCount: 1 }],
  ['ALERT without alertCount', { type: 'ALERT', roomId: ok, userId: ok }],
  ['alertCount -1', { type: 'ALERT', roomId: ok, userId: ok, alertCount: -1 }],
  ['alertCount 10^7', { type: 'ALERT', roomId: ok, userId: ok, alertCount: 10_000_000 }],
  ['alertCount on KICK_OUT', { type: 'KICK_OUT', roomId: ok, userId: ok, alertCount: 1 }],
  ['DELEGATE without target', { type: 'DELEGATE', roomId: ok, userId: ok }],
  ['a 1001-character message', { type: 'KICK_OUT', roomId: ok, userId: ok, message: repeat('m', 1001) }],
  ['a message with a null byte', { type: 'KICK_OUT', roomId: ok, userId: ok, message: 'a\u0000b' }],
  ['a message with an escape', { type: 'KICK_OUT', roomId: ok, userId: ok, message: '\u001b]0;pwned\u0007' }],
  ['a missing roomId', { type: 'KICK_OUT', userId: ok }],
] as const) {
  cases.push({ name: `publishRoomEvent ${label}`, kind: 'http', caller: 'service', query: room, variables: { i: input }, expect: { code: BAD } });
}
cases.push({ name: 'connectionStates 1001 ids', kind: 'http', caller: 'service', query: 'query($u: [ID!]!) { connectionStates(userIds: $u) { state } }', variables: { u: { $ids: 1001 } }, expect: { code: BAD } });
cases.push({ name: 'connectSession 1001 guilds', kind: 'http', caller: 'service', query: 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed } }', variables: { i: { sessionId: ok, userId: ok, guildIds: { $ids: 1001 } } }, expect: { code: BAD } });
cases.push({ name: 'presenceChanged without a filter', kind: 'ws', caller: 'service', query: 'subscription { presenceChanged { state } }', expect: { code: BAD } });
cases.push({ name: 'presenceChanged with an empty userIds', kind: 'ws', caller: 'service', query: 'subscription { presenceChanged(userIds: []) { state } }', expect: { code: BAD } });
cases.push({ name: 'required variable missing', kind: 'http', caller: 'service', query: 'query($u: ID!) { studyTime(userId: $u) { seconds } }', variables: {}, expect: { code: BAD } });
cases.push({ name: 'variables not an object', kind: 'raw-http', method: 'POST', headers: { 'content-type': 'application/json', authorization: 'service' }, body: '{"query":"{ __typename }","variables":"oops"}', expect: { status: 400 } });

// Documents: shape attacks.
const docs: Array<[string, Json, string]> = [
  ['a syntax error', '{ connectionStates(', 'GRAPHQL_PARSE_FAILED'],
  ['an empty document', '', 'GRAPHQL_PARSE_FAILED'],
  ['a null byte in the document', '{ __typename \u0000 }', 'GRAPHQL_PARSE_FAILED'],
  ['an unknown field', '{ users { id } }', 'GRAPHQL_VALIDATION_FAILED'],
  ['a literal of the wrong type', '{ studyTime(userId: {a: 1}) { seconds } }', 'GRAPHQL_VALIDATION_FAILED'],
  ['an unknown enum literal', 'mutation { publishRoomEvent(input: {type: PARTY, roomId: "r", userId: "u"}) { type } }', 'GRAPHQL_VALIDATION_FAILED'],
  ['a malformed Date literal', '{ studyReport(day: "2026-13-01") { hasNextPage } }', BAD],
  ['an alias bomb', { $aliases: 200 }, BAD],
  ['a field repeated 5000 times', { $repeatField: 5000 }, BAD],
  ['deep nesting', { $nest: 50 }, BAD],
  ['a fragment cycle', 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }', 'GRAPHQL_VALIDATION_FAILED'],
  ['a self-referencing fragment', 'query { ...A } fragment A on Query { __typename ...A }', 'GRAPHQL_VALIDATION_FAILED'],
  ['fragment spread fan-out', { $fanout: 12 }, BAD],
  ['1000 directives', { $directives: 1000 }, BAD],
  ['a 300000-character string literal', { $longString: 300_000 }, BAD],
  ['introspection of a huge depth', { $introspectionDeep: 30 }, 'GRAPHQL_VALIDATION_FAILED'],
  ['two anonymous operations', '{ __typename } { __typename }', BAD],
  ['an undefined variable', '{ studyTime(userId: $u) { seconds } }', 'GRAPHQL_VALIDATION_FAILED'],
  ['an unused fragment', '{ __typename } fragment F on Query { __typename }', 'GRAPHQL_VALIDATION_FAILED'],
  ['a subscription with two root fields', 'subscription { studyDayClosed { day } roomEvents { type } }', 'GRAPHQL_VALIDATION_FAILED'],
  ['a fragment on an unknown type', '{ ...F } fragment F on Nope { a }', 'GRAPHQL_VALIDATION_FAILED'],
  ['a query that is a number', 42, BAD],
  ['a query that is an object', { nested: true }, BAD],
];
for (const [label, query, code] of docs) cases.push({ name: `document: ${label}`, kind: 'http', caller: 'service', query, expect: { code } });
// Over WebSocket the document is validated before an operation is picked, so
// graphql-js's LoneAnonymousOperation rule answers first.
const wsCodes: Record<string, string> = { 'two anonymous operations': 'GRAPHQL_VALIDATION_FAILED' };
for (const [label, query, code] of docs.filter(([, q]) => typeof q === 'string' && q !== '')) {
  cases.push({ name: `document over WebSocket: ${label}`, kind: 'ws', caller: 'service', query, expect: { code: wsCodes[label] ?? code } });
}
cases.push({ name: 'an unknown operation name', kind: 'http', caller: 'service', query: 'query A { __typename }', operationName: 'B', expect: { code: 'BAD_USER_INPUT' } });
cases.push({ name: 'two operations without an operation name', kind: 'http', caller: 'service', query: 'query A { __typename } query B { __typename }', expect: { code: 'BAD_USER_INPUT' } });
cases.push({ name: 'two operations without an operation name over WebSocket', kind: 'ws', caller: 'service', query: 'query A { __typename } query B { __typename }', expect: { code: BAD } });

// Callers: who may do what.
const mutations = idTargets.filter(([, , query]) => query.startsWith('mutation'));
const seen = new Set<string>();
for (const [op, , query, vars] of mutations) {
  if (seen.has(op)) continue;
  seen.add(op);
  cases.push({ name: `${op} with a user token`, kind: 'http', caller: 'user', query, variables: vars(ok), expect: { code: 'FORBIDDEN' } });
  cases.push({ name: `${op} without a token`, kind: 'http', caller: 'none', query, variables: vars(ok), expect: { code: 'UNAUTHENTICATED', status: 401 } });
  cases.push({ name: `${op} with an expired token`, kind: 'http', caller: 'expired', query, variables: vars(ok), expect: { code: 'UNAUTHENTICATED', status: 401 } });
  cases.push({ name: `${op} with a tampered token`, kind: 'http', caller: 'tampered', query, variables: vars(ok), expect: { code: 'UNAUTHENTICATED', status: 401 } });
  cases.push({ name: `${op} with a user token over WebSocket`, kind: 'ws', caller: 'user', query, variables: vars(ok), expect: { code: 'FORBIDDEN' } });
}
for (const [label, query] of [
  ['channelStates of another guild', '{ channelStates(guildId: "other") { channelId } }'],
  ['studyTime of another user', '{ studyTime(userId: "someone") { seconds } }'],
  ['studyReport', '{ studyReport(day: "2026-11-23") { hasNextPage } }'],
  ['session', '{ session(sessionId: "s1") { userId } }'],
] as const) {
  cases.push({ name: `user token: ${label}`, kind: 'http', caller: 'user', query, expect: { code: 'FORBIDDEN' } });
}
for (const [label, query] of [
  ['presenceChanged of another guild', 'subscription { presenceChanged(guildId: "other") { state } }'],
  ['presenceChanged by user ids', 'subscription { presenceChanged(userIds: ["u1"]) { state } }'],
  ['channelStateChanged of another guild', 'subscription { channelStateChanged(guildId: "other") { type } }'],
  ['roomEvents', 'subscription { roomEvents { type } }'],
  ['studyTimeChanged of another user', 'subscription { studyTimeChanged(userId: "someone") { seconds } }'],
  ['studyDayClosed', 'subscription { studyDayClosed { day } }'],
] as const) {
  cases.push({ name: `user token: ${label}`, kind: 'ws', caller: 'user', query, expect: { code: 'FORBIDDEN' } });
}
for (const [label, auth] of [['Basic auth', 'Basic dXNlcjpwYXNz'], ['an empty bearer', 'Bearer '], ['a bearer with spaces', 'Bearer a b'], ['a 9000-character token', { $bearer: 9000 }], ['a token with latin-1 letters', 'Bearer \u00e9t\u00e9'], ['alg none', { $algNone: true }], ['lowercase bearer', 'bearer xyz']] as const) {
  cases.push({ name: `authorization: ${label}`, kind: 'raw-http', method: 'POST', headers: { 'content-type': 'application/json', authorization: auth as never }, body: '{"query":"{ __typename }"}', expect: { status: 401, code: 'UNAUTHENTICATED' } });
}

// Bodies and methods.
const json = { 'content-type': 'application/json', authorization: 'service' };
for (const [label, body, status] of [
  ['malformed JSON', '{"query":', 400],
  ['JSON null', 'null', 400],
  ['a JSON string', '"{ __typename }"', 400],
  ['a batched array', '[{"query":"{ __typename }"},{"query":"{ __typename }"}]', 400],
  ['an empty body', '', 400],
  ['invalid UTF-8', { $bytes: [0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d] }, 400],
  ['a body over the limit', { $repeatBody: 70_000 }, 413],
  ['deeply nested JSON as the query', { $nestedJson: 10_000 }, 400],
] as const) {
  cases.push({ name: `body: ${label}`, kind: 'raw-http', method: 'POST', headers: json, body, expect: { status } });
}
cases.push({ name: 'a mutation over GET', kind: 'raw-http', method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { disconnectSession(sessionId: "s1") { changed } }')}`, headers: { accept: 'application/json', authorization: 'service' }, expect: { status: 405 } });
cases.push({ name: 'GET with malformed variables', kind: 'raw-http', method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}&variables=%7Bnope`, headers: { accept: 'application/json', authorization: 'service' }, expect: { status: 400, code: BAD } });
cases.push({ name: 'GET with variables that are a list', kind: 'raw-http', method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}&variables=%5B1%5D`, headers: { accept: 'application/json', authorization: 'service' }, expect: { status: 400, code: BAD } });
cases.push({ name: 'GET with malformed extensions', kind: 'raw-http', method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}&extensions=nope`, headers: { accept: 'application/json', authorization: 'service' }, expect: { status: 400, code: BAD } });
cases.push({ name: 'PUT', kind: 'raw-http', method: 'PUT', headers: json, body: '{"query":"{ __typename }"}', expect: { status: 405 } });
cases.push({ name: 'DELETE', kind: 'raw-http', method: 'DELETE', headers: json, expect: { status: 405 } });
cases.push({ name: 'an unsupported content type', kind: 'raw-http', method: 'POST', headers: { 'content-type': 'application/xml', authorization: 'service' }, body: '<query/>', expect: { status: 415 } });
cases.push({ name: 'an unknown path', kind: 'raw-http', method: 'GET', path: '/admin', expect: { status: 404 } });
cases.push({ name: 'path traversal', kind: 'raw-http', method: 'GET', path: '/graphql/../../etc/passwd', expect: { status: 404 } });

// WebSocket frames.
const init = { type: 'connection_init' };
const sub = (id: Json, query = '{ __typename }') => ({ type: 'subscribe', id, payload: { query } });
for (const [label, caller, frames, close] of [
  ['subscribe before connection_init', 'skip-init', [sub('1')], 4401],
  ['a second connection_init', 'service', [init], 4429],
  ['a frame that is not JSON', 'service', ['{not json'], 4400],
  ['a JSON array frame', 'service', ['[1,2,3]'], 4400],
  ['an unknown message type', 'service', [{ type: 'hack' }], 4400],
  ['a subscribe without an id', 'service', [{ type: 'subscribe', payload: { query: '{ __typename }' } }], 4400],
  ['a subscribe with a numeric id', 'service', [sub(7)], 4400],
  ['a subscribe without a payload', 'service', [{ type: 'subscribe', id: '1' }], 4400],
  ['a subscribe whose query is not a string', 'service', [{ type: 'subscribe', id: '1', payload: { query: 5 } }], 4400],
  ['a duplicate subscription id', 'service', [sub('1', 'subscription { studyDayClosed { day } }'), sub('1', 'subscription { studyDayClosed { day } }')], 4409],
  ['a frame over the size limit', 'service', [{ $bigFrame: 70_000 }], 1009],
  ['binary garbage', 'service', [{ $binary: 64 }], 4400],
  ['a null frame', 'service', ['null'], 4400],
  ['a complete for an unknown id that is not a string', 'service', [{ type: 'complete', id: 5 }], 4400],
  ['connection_init with a refused token', 'none', [], 4403],
  ['connection_init with an expired token', 'expired', [], 4403],
  ['connection_init with a tampered token', 'tampered', [], 4403],
] as const) {
  cases.push({ name: `websocket: ${label}`, kind: 'raw-ws', caller, frames: frames as unknown as Json[], expect: { close } });
}

const out = new URL('../test/fixtures/hostile-corpus.json', import.meta.url);
writeFileSync(out, JSON.stringify(cases, null, 1) + '\n');
console.log(`wrote ${cases.length} cases to ${out.pathname}`);

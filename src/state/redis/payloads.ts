import type { PresenceEvent, RoomEvent, StudyDayClosed, StudyTimeEvent, VoiceStateChange } from '../types.js';

/**
 * The JSON of every event a Lua script publishes, defined once here and
 * turned into the Lua functions every script gets (`luaPayloads`): a script
 * names each value (`presence_payload({ userId = uid, … })`), the field
 * order, the quoting and the constants come from these shapes. `satisfies`
 * ties each shape to its TypeScript type, so a field added to the type and
 * not here fails to compile.
 */
/** 'json': the script passes the value's JSON text as it is (a stored custom status, or 'null'). */
type Field = 'string' | 'number' | 'boolean' | 'strings' | 'string|null' | 'json' | { const: string | number | boolean | null };
type Shape<T> = { [K in keyof T]-?: Field };

export const payloadShapes = {
  presence: {
    userId: 'string',
    state: 'string',
    previousState: 'string',
    status: 'string',
    previousStatus: 'string',
    platforms: 'strings',
    customStatus: 'json',
    sessionCount: 'number',
    guildIds: 'strings',
    at: 'number',
    version: 'number',
    snapshot: { const: false },
    // Last: a guild's log writes its position over the null (resume.ts).
    position: { const: null },
  } satisfies Shape<PresenceEvent>,
  // Split around `version`: only the guild's step knows it (voice_payload_parts).
  voice: {
    changed: { const: true },
    type: 'string',
    guildId: 'string',
    channelId: 'string|null',
    previousChannelId: 'string|null',
    userId: 'string',
    at: 'number',
    version: 'number',
    snapshot: { const: false },
    position: { const: null },
  } satisfies Shape<VoiceStateChange>,
  study: { userId: 'string', day: 'string', seconds: 'number', running: 'boolean' } satisfies Shape<StudyTimeEvent>,
  roomOut: {
    type: { const: 'ROOM_OUT' },
    roomId: 'string',
    userId: 'string',
    targetUserId: { const: null },
    alertCount: { const: null },
    message: { const: null },
    at: 'number',
  } satisfies Shape<RoomEvent>,
  dayClosed: { day: 'string', users: 'number', totalSeconds: 'number' } satisfies Shape<StudyDayClosed>,
} as const;

/** The Lua expression writing field `name` of table `v` as JSON (constants are written into the literal). */
function valueOf(name: string, field: Exclude<Field, { const: unknown }>): string {
  const v = `v.${name}`;
  switch (field) {
    case 'string':
      return `cjson.encode(${v})`;
    case 'number':
      // Integers as Lua writes them (%.14g): exact up to 10^14, epoch ms included.
      return `string.format('%.14g', ${v})`;
    case 'boolean':
      return `tostring(${v} and true or false)`;
    case 'strings':
      return `json_array(${v})`;
    case 'string|null':
      return `json_or_null(${v})`;
    case 'json':
      return v;
  }
}

/** Lua concatenating the fields as `"name":value` pairs, the first `prefix`ed. */
function pairs(fields: Array<[string, Field]>, prefix: string) {
  return fields
    .map(([name, field], i) => {
      const key = `${i === 0 ? prefix : ','}"${name}":`;
      return typeof field === 'object' ? `'${key}${JSON.stringify(field.const)}'` : `'${key}' .. ${valueOf(name, field)}`;
    })
    .join(' .. ');
}

function builder(fn: string, shape: Record<string, Field>) {
  return `local function ${fn}(v)\n  return ${pairs(Object.entries(shape), '{')} .. '}'\nend`;
}

/** The Lua library of event payloads (after lua/lib/util.lua, which has json_array and json_or_null). */
export function luaPayloads(): string {
  const voice = Object.entries(payloadShapes.voice as Record<string, Field>);
  const at = voice.findIndex(([name]) => name === 'version');
  const head = voice.slice(0, at);
  const tail = voice.slice(at + 1);
  return [
    '-- Generated from src/state/redis/payloads.ts: event JSON, one function per event.',
    builder('presence_payload', payloadShapes.presence),
    builder('study_payload', payloadShapes.study),
    builder('room_out_payload', payloadShapes.roomOut),
    builder('day_closed_payload', payloadShapes.dayClosed),
    '-- A voice change in two parts around its version, which only the guild\'s counter gives.',
    `local function voice_payload_parts(v)\n  return ${pairs(head, '{')} .. ',"version":', ${tail.length > 0 ? pairs(tail, ',') : "''"} .. '}'\nend`,
  ].join('\n\n');
}

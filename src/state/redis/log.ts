import type { LogRead } from '../resume.js';
import type { PresenceEvent, VoiceStateChange } from '../types.js';
import { guard } from './context.js';

type Logged = PresenceEvent | VoiceStateChange;

/** read-log.lua's reply ({gap, tail, id, json, ...}) as events with their positions; both Redis engines read logs with it. */
export const readLog = <T extends Logged>(read: () => Promise<unknown>): Promise<LogRead<T>> =>
  guard(async () => {
    const [gap, tail, ...flat] = (await read()) as [number, string | null, ...string[]];
    const events: T[] = [];
    for (let i = 0; i < flat.length; i += 2) events.push({ ...(JSON.parse(flat[i + 1]!) as T), position: flat[i]! });
    return { gap: gap === 1, tail: tail ?? null, events };
  });

import { badInput } from '../../errors.js';
import { assertId } from '../../validate.js';
import type { Activity, ChosenStatus, CustomStatus, Platform } from '../types.js';
import type { CustomStatusArgs, StateService, StateServiceDeps } from './contract.js';

/** Longest custom status text, in characters. */
export const CUSTOM_TEXT_MAX = 128;
/** Longest emoji (a Unicode emoji or a custom emoji's name or id), in characters. */
export const EMOJI_MAX = 64;

const CHOSEN = new Set<string>(['ONLINE', 'DND', 'INVISIBLE']);
const ACTIVITIES = new Set<string>(['ACTIVE', 'IDLE']);
const PLATFORMS = new Set<string>(['DESKTOP', 'MOBILE', 'WEB']);
// One line of printable text: no control characters, lone surrogates or line separators.
const LINE = /^[^\p{Cc}\p{Cs}\p{Zl}\p{Zp}]+$/u;

export function assertChosenStatus(value: unknown, field: string): ChosenStatus {
  if (typeof value !== 'string' || !CHOSEN.has(value)) {
    throw badInput(`${field} must be ONLINE, DND or INVISIBLE (IDLE comes from the sessions' activity, OFFLINE from having none)`);
  }
  return value as ChosenStatus;
}

export function assertActivity(value: unknown, field: string): Activity {
  if (value === null || value === undefined) return 'ACTIVE';
  if (typeof value !== 'string' || !ACTIVITIES.has(value)) throw badInput(`${field} must be ACTIVE or IDLE`);
  return value as Activity;
}

export function assertPlatform(value: unknown, field: string): Platform | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !PLATFORMS.has(value)) throw badInput(`${field} must be DESKTOP, MOBILE or WEB`);
  return value as Platform;
}

function optionalLine(value: unknown, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !LINE.test(value) || [...value].length > max) {
    throw badInput(`${field} must be 1-${max} printable characters on one line`);
  }
  return value;
}

/** undefined keeps the current custom status, null clears it. */
export function assertCustomStatus(value: CustomStatusArgs | null | undefined, field: string, now: number): CustomStatus | null | undefined {
  if (value === undefined || value === null) return value;
  const text = optionalLine(value.text, `${field}.text`, CUSTOM_TEXT_MAX);
  const emoji = optionalLine(value.emoji, `${field}.emoji`, EMOJI_MAX);
  if (text === null && emoji === null) throw badInput(`${field} needs a text or an emoji (null clears it)`);
  const expiresAt = value.expiresAt === null || value.expiresAt === undefined ? null : value.expiresAt;
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= now)) {
    throw badInput(`${field}.expiresAt must be in the future`);
  }
  return { text, emoji, expiresAt };
}

/** Chosen status, custom status and session activity: validation, the clock, one engine call each. */
export function statusService({ engine, clock }: StateServiceDeps): Pick<StateService, 'setUserStatus' | 'setSessionActivity' | 'presenceExplain'> {
  return {
    presenceExplain: async (userId) => engine.presenceExplain(assertId(userId, 'userId')),
    async setUserStatus(input) {
      const now = clock.now();
      const userId = assertId(input.userId, 'input.userId');
      const status = assertChosenStatus(input.status, 'input.status');
      const customStatus = assertCustomStatus(input.customStatus, 'input.customStatus', now);
      return engine.setUserStatus({ userId, status, customStatus }, now);
    },
    async setSessionActivity(input) {
      const sessionId = assertId(input.sessionId, 'input.sessionId');
      if (input.activity === null || input.activity === undefined) throw badInput('input.activity must be ACTIVE or IDLE');
      return engine.setSessionActivity(sessionId, assertActivity(input.activity, 'input.activity'), clock.now());
    },
  };
}

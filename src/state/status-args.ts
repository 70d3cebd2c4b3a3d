import type { CustomStatus } from './types.js';

/**
 * set-user-status's custom status arguments, shared by the Redis engines:
 * its JSON ('' clears it, '-' keeps the current one) and its expiry ('' none).
 * Keys in a fixed order, so the scripts can compare statuses as text.
 */
export function customStatusArgs(cs: CustomStatus | null | undefined): [string, string | number] {
  if (cs === undefined) return ['-', ''];
  if (cs === null) return ['', ''];
  return [JSON.stringify(customStatusJson(cs)), cs.expiresAt ?? ''];
}

export const customStatusJson = (cs: CustomStatus): CustomStatus => ({ text: cs.text, emoji: cs.emoji, expiresAt: cs.expiresAt });

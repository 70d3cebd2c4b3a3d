import { Kind } from 'graphql';
import { badInput } from '../errors.js';
import { isDay } from '../state/calendar.js';
import { builder } from './builder.js';

function parseInstant(value: unknown): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw badInput('DateTime must be an ISO 8601 instant such as 2026-11-23T05:00:00Z');
  return ms;
}

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: parseInstant,
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDay(value: unknown): string {
  if (typeof value !== 'string' || !isDay(value)) throw badInput('Date must be a calendar date, YYYY-MM-DD');
  return value;
}

builder.scalarType('Date', {
  description: 'A study day, YYYY-MM-DD: the local date (in STUDY_TIMEZONE) on which the day starts',
  serialize: (value) => value,
  parseValue: parseDay,
  parseLiteral: (ast) => parseDay(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const ConnectionStateEnum = builder.enumType('ConnectionState', {
  values: ['ONLINE', 'OFFLINE'] as const,
});

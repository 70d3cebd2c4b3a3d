import { RequestCache } from '@pothos/plugin-scope-auth';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../schema/builder.js';

/**
 * Drops Pothos scope-auth's per-context cache once an operation is done.
 * That cache is a WeakMap entry whose value holds its own key (the
 * context), and V8's young-generation GC keeps such a value alive while
 * the WeakMap sits in the old generation: left alone, each operation's
 * context, scope caches and what they reach survive two scavenges and
 * are promoted, which makes every scavenge copy megabytes and pause for
 * milliseconds. Released here, they die young.
 */
export const releaseScopeCache = (context: Context) => RequestCache.clearForContext(context);

/** The same release for operations that run through yoga's own execute. */
export const releaseScopeCacheAfterExecute: Plugin<Context> = {
  onExecute: ({ args }) => ({ onExecuteDone: () => releaseScopeCache(args.contextValue) }),
};

import type { GraphQLError } from 'graphql';
import type WebSocket from 'ws';
import type { PreparedOperation, PreparedOperations } from './prepared-operations.js';

/** The parts of graphql-ws's per-socket context this path reads and keeps up to date. */
export interface SocketProtocolState {
  acknowledged: boolean;
  connectionParams?: Readonly<Record<string, unknown>>;
  subscriptions: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || v === null || check(v);

/**
 * graphql-ws `subscribe` messages for prepared queries and mutations, answered
 * without graphql-ws's per-message machinery (a validated parse, an async
 * handler, emit closures, a validating stringify and an await per frame).
 * Only a message graphql-ws would accept and run the same way is taken: a
 * well-formed `subscribe` on an acknowledged socket, for a prepared text,
 * with an id not in use and room under the per-socket limit. Everything else
 * goes to graphql-ws untouched. The id is entered in graphql-ws's own
 * subscriptions while it runs, so a duplicate id, a client `complete` and
 * the limit behave as they do there; frames are the same bytes graphql-ws
 * would send (`next` then `complete`, or `error` when the context refuses).
 */
export function createPreparedMessages(prepared: PreparedOperations, maxOperations: number, mask: (error: unknown) => GraphQLError) {
  async function run(socket: WebSocket, state: SocketProtocolState, id: string, ready: PreparedOperation, variables: unknown) {
    const quotedId = JSON.stringify(id);
    try {
      let context;
      try {
        context = await prepared.createContext({ connectionParams: state.connectionParams ?? {} });
      } catch (error) {
        if (id in state.subscriptions) socket.send(`{"id":${quotedId},"type":"error","payload":${JSON.stringify([mask(error)])}}`);
        return;
      }
      const result = await ready.execute(context, variables as Record<string, unknown> | null | undefined);
      if (id in state.subscriptions) {
        // As graphql-ws writes it: errors last. (JSON leaves out the stringify function.)
        let body: object = result;
        if (result.errors) {
          const { errors, ...rest } = result;
          body = { ...rest, errors };
        }
        socket.send(`{"id":${quotedId},"type":"next","payload":${JSON.stringify(body)}}`);
      }
      if (id in state.subscriptions) socket.send(`{"id":${quotedId},"type":"complete"}`);
    } finally {
      delete state.subscriptions[id];
    }
  }

  /** Takes the message and answers it (true), or leaves it to graphql-ws (false). */
  return function take(socket: WebSocket, state: SocketProtocolState | undefined, data: unknown): boolean {
    if (!state?.acknowledged) return false;
    const text = String(data);
    if (!text.includes('"subscribe"')) return false;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return false;
    }
    if (!isRecord(message) || message.type !== 'subscribe' || typeof message.id !== 'string' || message.id === '') return false;
    const { id, payload } = message;
    if (!isRecord(payload) || typeof payload.query !== 'string') return false;
    if (!optional(payload.variables, isRecord) || !optional(payload.extensions, isRecord)) return false;
    if (!optional(payload.operationName, (v) => typeof v === 'string')) return false;
    const ready = prepared.lookup(payload.query, payload.operationName as string | null | undefined);
    if (!ready) return false;
    if (id in state.subscriptions || Object.keys(state.subscriptions).length >= maxOperations) return false;
    state.subscriptions[id] = null;
    void run(socket, state, id, ready, payload.variables);
    return true;
  };
}

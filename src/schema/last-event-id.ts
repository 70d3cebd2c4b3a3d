/**
 * The Last-Event-ID header of an SSE request: a browser's EventSource sends
 * the id of the last event it got when it reconnects, and our SSE frames'
 * ids are the events' positions, so it resumes the stream (as `after`).
 * yoga's context carries the request; graphql-ws contexts have none.
 */
export function lastEventIdOf(context: object): string | undefined {
  const request = (context as { request?: { headers?: { get?(name: string): string | null } } }).request;
  return request?.headers?.get?.('last-event-id') ?? undefined;
}

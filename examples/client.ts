import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';

/** A GraphQL error answered by the server, with its stable `extensions.code`. */
export class GraphQLRequestError extends Error {
  constructor(readonly code: string | undefined, message: string) {
    super(message);
  }
}

/** Sends one typed operation over HTTP and resolves with its typed data, or throws the first error. */
export async function request<Result, Variables>(
  url: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  token?: string,
): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as ExecutionResult<Result, { code?: string }>;
  const [error] = body.errors ?? [];
  if (error) throw new GraphQLRequestError(error.extensions?.code as string | undefined, error.message);
  return body.data as Result;
}

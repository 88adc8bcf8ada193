// The network boundary of component tests: a fetch that answers GraphQL operations by name and records
// what was sent, so tests check both what the components show and what they ask the API.
import { vi } from 'vitest';

export interface SentOperation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  authorization: string | null;
}

type Handler = (variables: Record<string, unknown>) => unknown;

export function fakeApi(handlers: Record<string, Handler>) {
  const sent: SentOperation[] = [];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    if (url !== '/graphql') return new Response('not found', { status: 404 });
    const { query, variables } = JSON.parse(String(init.body)) as {
      query: string;
      variables: Record<string, unknown>;
    };
    const name = /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? 'anonymous';
    const headers = new Headers(init.headers);
    sent.push({ name, query, variables, authorization: headers.get('authorization') });
    const handler = handlers[name];
    const body = handler
      ? { data: handler(variables) }
      : { errors: [{ message: `no handler for ${name}`, extensions: { code: 'NOT_FOUND' } }] };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { sent };
}

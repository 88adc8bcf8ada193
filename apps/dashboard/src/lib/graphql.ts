// The dashboard's only backend: the API's /graphql, reached through the same origin (proxy.ts forwards
// it), so media, cookies and CORS never differ between development and `undub start`.
import { takeEarly } from './early';
import { readSession, writeSession, type Session } from './session';

export const GRAPHQL_PATH = '/graphql';

/** An error the API reported, with its stable `extensions.code` (or a transport code of ours). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<T> {
  const body = JSON.stringify({ query, variables });
  const early = takeEarly(body);
  if (early) return read<T>(early, readSession());
  return send<T>({ 'content-type': 'application/json' }, body, signal);
}

/**
 * A GraphQL multipart request (one file, at `variables.<filePath>`), as the API's `File` scalar expects.
 * `filePath` is dotted, e.g. "input.file".
 */
export async function gqlWithFile<T>(
  query: string,
  variables: Record<string, unknown>,
  filePath: string,
  file: Blob,
): Promise<T> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify({ 0: [`variables.${filePath}`] }));
  form.append('0', file);
  return send<T>({ 'apollo-require-preflight': 'true' }, form);
}

function send<T>(headers: Record<string, string>, body: BodyInit, signal?: AbortSignal): Promise<T> {
  const session = readSession();
  const res = fetch(GRAPHQL_PATH, {
    method: 'POST',
    headers: { ...headers, ...(session ? { authorization: `Bearer ${session.token}` } : {}) },
    body,
    signal,
  });
  return read<T>(res, session);
}

async function read<T>(pending: Promise<Response>, session: Session | null): Promise<T> {
  let res: Response;
  try {
    res = await pending;
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 'The API cannot be reached.');
  }
  let reply: GraphQLResponse<T>;
  try {
    reply = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError('BAD_RESPONSE', `The API answered ${res.status} without a GraphQL body.`);
  }
  const first = reply.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'API_ERROR';
    // An expired or revoked session: forget it so the sign-in page shows instead of a broken screen.
    if (code === 'UNAUTHENTICATED' && session) {
      writeSession(null);
      if (typeof window !== 'undefined' && !window.location.pathname.startsWith('/signin')) {
        window.location.assign(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
      }
    }
    throw new ApiError(code, first.message);
  }
  if (!reply.data) throw new ApiError('BAD_RESPONSE', 'The API answered without data.');
  return reply.data;
}

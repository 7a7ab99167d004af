/** The typed API client: openapi-fetch over the generated paths, with the session's JWT. */
import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, toApiError } from './errors';
import type { paths } from './schema';
import { getSession, setSession } from './session';

const auth: Middleware = {
  onRequest({ request }) {
    const session = getSession();
    if (session) request.headers.set('Authorization', `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response, request }) {
    // An expired or revoked token: drop the session so the app shows the login page.
    if (response.status === 401 && !request.url.endsWith('/api/auth/login')) setSession(null);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Turn an openapi-fetch result into its data, or throw the standard error. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) throw toApiError(response.status, error, response.statusText);
  return data as T;
}

/** WebSocket URL on the same origin. The JWT never goes in the URL (proxies log URLs). */
export function wsUrl(path: string, params: Record<string, string> = {}): string {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** A WebSocket that authenticates with its first message, `{type: 'auth', token}`. */
export function openSocket(path: string, params: Record<string, string> = {}): WebSocket {
  const ws = new WebSocket(wsUrl(path, params));
  ws.addEventListener('open', () => {
    ws.send(JSON.stringify({ type: 'auth', token: getSession()?.token ?? '' }));
  });
  return ws;
}

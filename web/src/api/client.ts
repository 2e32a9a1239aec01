import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

// One client for the whole console. Paths, parameters and request bodies are typed from the server's
// OpenAPI document (schema.d.ts). The server does not declare its response schemas yet, so each
// call names the answer's shape from models.ts.

export interface ApiErrorDetail {
  path: string;
  message: string;
}

/** The API's error body `{error:{code,message,details}}`, kept whole so forms can show field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(message);
  }
  /** The message for one field (by its path, e.g. "title" or "contacts.0.address"). */
  field(path: string): string | undefined {
    return this.details.find((d) => d.path === path)?.message;
  }
}

interface Credentials {
  csrf?: string;
  token?: string;
}
const credentials: Credentials = {};
let onUnauthorized: () => void = () => {};

/** The CSRF token of a cookie session (sent on every change) or an API token (sent as bearer). */
export function setCredentials(next: Credentials): void {
  credentials.csrf = next.csrf;
  credentials.token = next.token;
}
export function onSessionLost(handler: () => void): void {
  onUnauthorized = handler;
}
export function authHeaders(method = 'GET'): Record<string, string> {
  const headers: Record<string, string> = {};
  if (credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  if (method !== 'GET' && method !== 'HEAD' && credentials.csrf) headers['x-csrf-token'] = credentials.csrf;
  return headers;
}

const auth: Middleware = {
  onRequest({ request }) {
    for (const [k, v] of Object.entries(authHeaders(request.method))) request.headers.set(k, v);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(auth);

interface ErrorBody {
  error?: { code?: string; message?: string; details?: ApiErrorDetail[] };
}

/** Turns an openapi-fetch answer into data of the named shape or a thrown ApiError. */
export async function answer<T>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  opts: { quiet401?: boolean } = {},
): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as ErrorBody;
  if (response.status === 401 && !opts.quiet401) onUnauthorized();
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText ?? 'request failed',
    // Request validation names the body's fields "body.<field>": forms know them as "<field>".
    (body.error?.details ?? []).map((d) => ({ ...d, path: d.path.replace(/^body\./, '') })),
  );
}

/** A request to an endpoint the generated paths do not name (yet): same headers and errors. */
export async function raw<T>(method: string, path: string, body?: unknown, quiet401 = false): Promise<T> {
  const headers: Record<string, string> = authHeaders(method);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = {};
  }
  return answer<T>(Promise.resolve(response.ok ? { data: parsed, response } : { error: parsed, response }), {
    quiet401,
  });
}

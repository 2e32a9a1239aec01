import { loadEnv } from '../config/env.ts';

// The CLI's HTTP client: --url (or TOCSIN_URL) and TOCSIN_TOKEN. Errors print the API's own
// reason and field paths.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url?: string | undefined;
  token?: string | undefined;
}

export function serverUrl(opts: ClientOptions): string | undefined {
  return opts.url ?? loadEnv().TOCSIN_URL;
}

export class ApiClient {
  readonly base: string;
  private readonly token: string | undefined;
  constructor(opts: ClientOptions) {
    const url = serverUrl(opts);
    if (!url) throw new Error('no server: pass --url or set TOCSIN_URL');
    this.base = url.replace(/\/+$/, '');
    this.token = opts.token ?? loadEnv().TOCSIN_TOKEN;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`cannot reach ${this.base}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const e = (json as { error?: { message?: string; details?: { path: string; message: string }[] } })
        ?.error;
      throw new ApiError(response.status, e?.message ?? `HTTP ${response.status}`, e?.details ?? []);
    }
    return json as T;
  }

  get<T>(path: string) {
    return this.request<T>('GET', path);
  }

  /** A GET whose answer is a file (a PDF export): its bytes, or the API's error as for JSON. */
  async getBytes(path: string): Promise<Buffer> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(this.base + path, { headers });
    } catch (error) {
      throw new Error(`cannot reach ${this.base}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (!response.ok) {
      const e = (
        JSON.parse(bytes.toString('utf8') || '{}') as {
          error?: { message?: string; details?: { path: string; message: string }[] };
        }
      ).error;
      throw new ApiError(response.status, e?.message ?? `HTTP ${response.status}`, e?.details ?? []);
    }
    return bytes;
  }
  post<T>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

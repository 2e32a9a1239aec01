// A stand-in for the server in component tests: every fetch goes to `fakeApi.handle`, which answers
// like the API would; `fakeApi.calls` keeps what was sent. Import it before anything that imports
// the API client: the client keeps the fetch it finds when it is made.

export interface FakeCall {
  method: string;
  url: string;
  body: unknown;
}
type Handler = (request: { method: string; path: string; url: string; body: unknown }) => Response;

export const fakeApi: { handle: Handler | undefined; calls: FakeCall[] } = { handle: undefined, calls: [] };

// Node's Request wants an absolute URL; the console asks for paths of its own origin.
const NativeRequest = globalThis.Request;
globalThis.Request = class extends NativeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' && input.startsWith('/') ? `http://console.test${input}` : input, init);
  }
};

globalThis.fetch = (async (input: Request | string | URL, init?: RequestInit) => {
  const request = input instanceof Request ? input : new Request(String(input), init);
  const url = new URL(request.url);
  const text = request.method === 'GET' ? '' : await request.clone().text();
  const body = text ? JSON.parse(text) : undefined;
  const call = { method: request.method, url: url.pathname + url.search, body };
  fakeApi.calls.push(call);
  if (!fakeApi.handle) throw new Error(`no fake API handler for ${call.method} ${call.url}`);
  return fakeApi.handle({ ...call, path: url.pathname });
}) as typeof fetch;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The small HTTP server the loopback fakes of third-party APIs (ntfy, Twilio) are built on: listens
// on 127.0.0.1 on a free port, reads each request's body whole, and lets a test script failures
// ahead ("answer the next two requests with 503").

export interface FakeRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (request: FakeRequest) => FakeAnswer;

export class HttpFake {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url = '';
  private readonly forced: FakeAnswer[] = [];

  private constructor(private readonly server: Server) {}

  static async start(handler: FakeHandler): Promise<HttpFake> {
    let fake: HttpFake | undefined;
    const server = createServer((req, res) => {
      fake?.serve(req, res, handler).catch(() => res.destroy());
    });
    fake = new HttpFake(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The next `count` requests get this answer instead of the handler's (they are still recorded). */
  failNext(status: number, body: unknown, count = 1): void {
    for (let i = 0; i < count; i++) this.forced.push({ status, body });
  }

  private async serve(req: IncomingMessage, res: ServerResponse, handler: FakeHandler): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const answer = this.forced.shift() ?? handler(request);
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
      ...answer.headers,
    });
    res.end(text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A minimal loopback ntfy server for the paging benchmark: Tocsin's push provider
// (src/notify/providers/ntfy.ts) POSTs each page to <TOCSIN_NTFY_URL>/<topic> with the page's subject
// ("[SEV] <incident title>") in the Title header; this answers as ntfy does ({"id": …}) and notes when
// the first page of each benchmark incident arrived (performance.now(), the load generator's clock:
// same process). The load generator puts a unique tag in every incident title to match them.
// test/fakes/ntfy.ts decodes and records everything for tests; this one does as little as possible
// so the receiver does not slow down the server it measures.

export interface NtfyReceiver {
  url: string;
  /** Incident tag (see TAG) → when its first page was received. */
  firstPage: Map<string, number>;
  /** Tag → pages received for it (more than 1: the incident was paged more than once). */
  pages: Map<string, number>;
  close(): Promise<void>;
}

/** Incident titles carry `bench#<tag>#`: ASCII, so the provider sends the Title header as is. */
export const tagged = (tag: string) => `bench#${tag}#`;
const TAG = /bench#([^#]+)#/;

/** The benchmark tag in a page's Title header, if any. */
export function tagOf(request: IncomingMessage): string | undefined {
  const title = request.headers.title;
  return typeof title === 'string' ? TAG.exec(title)?.[1] : undefined;
}

export async function startNtfyReceiver(): Promise<NtfyReceiver> {
  const firstPage = new Map<string, number>();
  const pages = new Map<string, number>();
  let seq = 0;
  const server: Server = createServer((request, response) => {
    const at = performance.now();
    // Drain the body: the provider awaits the answer, not what we do with the text.
    request.resume();
    request.on('end', () => {
      const tag = tagOf(request);
      if (tag !== undefined) {
        if (!firstPage.has(tag)) firstPage.set(tag, at);
        pages.set(tag, (pages.get(tag) ?? 0) + 1);
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"id":"bench${++seq}","event":"message"}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    firstPage,
    pages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

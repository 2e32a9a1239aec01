import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback ntfy server for the paging reliability tests: answers ntfy's publish API like
// test/fakes/ntfy.ts, and records every accepted message with the outbox id Tocsin sends along
// (X-Tocsin-Message), the time it arrived and which recorder took it. Each Tocsin instance gets a
// recorder of its own (TOCSIN_NTFY_URL), so a test knows which instance delivered a message.
//
// stall() models a provider connection that hangs: from then on requests are left unread and
// unanswered, so nothing is accepted and the sender's claims stay in flight — until resume() serves
// them, or the sender dies and its connections close (then they were never accepted).

export interface Received {
  /** X-Tocsin-Message: the outbox row id. */
  outboxId: string;
  topic: string;
  title: string;
  /** Date.now() when the message was accepted. */
  at: number;
  /** The recorder that accepted it (one per Tocsin instance). */
  via: string;
}

const TOPIC = /^\/([-_A-Za-z0-9]{1,64})$/;

export class NtfyRecorder {
  url = '';
  private stalled = false;
  private readonly hanging = new Map<IncomingMessage, ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly via: string,
    private readonly log: Received[],
  ) {}

  /** Starts a recorder on 127.0.0.1 that appends what it accepts to `log` (shared by several). */
  static async start(via: string, log: Received[]): Promise<NtfyRecorder> {
    let recorder: NtfyRecorder | undefined;
    const server = createServer((req, res) => {
      recorder?.serve(req, res).catch(() => res.destroy());
    });
    recorder = new NtfyRecorder(server, via, log);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return recorder;
  }

  /** From now on, requests hang unread (a stalled provider): nothing more is accepted here. */
  stall(): void {
    this.stalled = true;
  }

  /** Serves again, the hanging requests first (they are accepted now, late). */
  resume(): void {
    this.stalled = false;
    const waiting = [...this.hanging];
    this.hanging.clear();
    for (const [req, res] of waiting) this.accept(req, res).catch(() => res.destroy());
  }

  /** The ntfy titles and topics of the hanging requests (which pages are held). */
  hangingPages(): { title: string; topic: string }[] {
    return [...this.hanging.keys()].map((req) => ({
      title: typeof req.headers.title === 'string' ? req.headers.title : '',
      topic: TOPIC.exec(req.url ?? '')?.[1] ?? '',
    }));
  }

  /** Requests hanging on the stalled recorder whose sender is still connected. */
  hangingCount(): number {
    return this.hanging.size;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.stalled) {
      this.hanging.set(req, res);
      req.socket.once('close', () => this.hanging.delete(req));
      return;
    }
    await this.accept(req, res);
  }

  private async accept(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const topic = TOPIC.exec(req.url ?? '')?.[1];
    const outboxId = req.headers['x-tocsin-message'];
    if (req.method !== 'POST' || !topic || typeof outboxId !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 40000, http: 400, error: 'invalid request' }));
      return;
    }
    const title = typeof req.headers.title === 'string' ? req.headers.title : '';
    this.log.push({ outboxId, topic, title, at: Date.now(), via: this.via });
    const message = Buffer.concat(chunks).toString('utf8');
    const time = Math.floor(Date.now() / 1000);
    const id = randomBytes(9).toString('base64url');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, time, expires: time + 43_200, event: 'message', topic, message }));
  }
}

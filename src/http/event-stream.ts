import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { authenticateSession } from '../domain/auth/authenticate-session.ts';
import type { Actor } from '../domain/context.ts';
import { EVENT_KINDS, type LiveEvent, visibleTo } from '../domain/events/events.ts';
import { mayViewIncidentId } from '../domain/incidents/confidential.ts';
import { authenticate } from '../domain/users/authenticate.ts';
import { Unavailable } from '../errors.ts';
import { EventReplay, type NumberedMessage } from './event-replay.ts';
import type { App, AppDeps } from './server.ts';
import { authConfigOf } from './session.ts';

// GET /api/v1/events/stream: server-sent events for the web console. Each committed change anywhere
// (API, CLI, alert ingest, engine — any instance) arrives through the process's EventHub (PostgreSQL
// NOTIFY) and is written to every open stream whose reader may see it. A comment every 15 s keeps
// proxies from closing an idle stream; at each one the reader's session or token is checked again,
// so a revoked or expired one ends the stream (the browser then signs in again).

const HEARTBEAT_MS = 15_000;
// How long a new stream waits for the process's listener (just started, or reconnecting) before it
// opens anyway: "connected" should mean no later change is missed, but never hang a reader.
const READY_WAIT_MS = 5_000;
// A reader that stopped reading: past this much unsent data, its stream is closed (it reconnects
// and refetches) rather than buffered without end.
const MAX_BUFFERED_BYTES = 1_000_000;

function frame(name: string, data: Record<string, unknown>, id?: string): string {
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null && v !== undefined));
  return `${id ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(clean)}\n\n`;
}

export function registerEventStream(app: App, deps: AppDeps): void {
  const open = new Set<ServerResponse>();
  // Open streams never go idle: end them so closing the server does not wait for the readers.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  const heartbeatMs = deps.console?.heartbeatMs ?? HEARTBEAT_MS;
  const hubOfProcess = deps.console?.events;
  const replay = hubOfProcess ? new EventReplay(hubOfProcess) : undefined;
  app.addHook('onClose', async () => replay?.close());

  app.get(
    '/api/v1/events/stream',
    {
      schema: {
        tags: ['events'],
        description: `Server-sent events, one per committed change the reader may see: ${EVENT_KINDS.join(', ')} with JSON data {kind, id, ...}; "resync" after a lost connection to the store (fetch again); a comment line every 15 s. Each event has an id: reconnect with the header Last-Event-ID to get the events missed meanwhile (kept briefly, per instance), or a "resync" when they cannot be replayed.`,
        querystring: z.strictObject({}),
        headers: z.looseObject({ 'last-event-id': z.string().max(100).optional() }),
      },
    },
    async (request, reply) => {
      request.ctx.require('read');
      const hub = deps.console?.events;
      if (!hub || !replay) throw new Unavailable('live events are not available on this instance');
      let actor: Actor = request.ctx.actor;
      const session = request.session;
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      /** The reader as of now: null when the session or token no longer works. */
      const recheck = async (): Promise<Actor | null> => {
        if (session) {
          const found = await authenticateSession(deps.db, deps.clock, session.token, authConfigOf(deps));
          return found?.actor ?? null;
        }
        const fresh = await authenticate(deps.db, deps.clock, bearer);
        return fresh && fresh.kind !== 'anonymous' ? fresh : null;
      };

      let waited: NodeJS.Timeout | undefined;
      await Promise.race([
        hub.ready(),
        new Promise<void>((resolve) => {
          waited = setTimeout(resolve, READY_WAIT_MS);
        }),
      ]);
      clearTimeout(waited);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and similar proxies would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      // After "connected", every committed change the reader may see arrives: a console refetches
      // what it shows when a stream (re)opens, then follows the events.
      res.write('retry: 3000\n: connected\n\n');
      open.add(res);

      const send = (text: string) => {
        if (res.writableLength > MAX_BUFFERED_BYTES) return stop();
        res.write(text);
      };
      // Events about a confidential incident reach only those who may see it (a database check), so
      // deliveries are chained to keep their order.
      let delivered = Promise.resolve();
      const deliver = ({ id, message }: NumberedMessage) => {
        delivered = delivered
          .then(async () => {
            if (message.type === 'resync') return send(frame('resync', { kind: 'resync' }, id));
            if (!visibleTo(actor, message.event)) return;
            const e = message.event;
            const incidentId = e.kind === 'incident.changed' ? e.id : e.incident_id;
            if (!(await mayViewIncidentId(deps.db, incidentId, actor, deps.clock.now()))) return;
            send(frame(e.kind, e as LiveEvent, id));
          })
          .catch(() => undefined);
      };
      const lastEventId = request.headers['last-event-id'];
      const followed = replay.follow(typeof lastEventId === 'string' ? lastEventId : undefined, deliver);
      const unsubscribe = followed.stop;
      // What the reader missed, or a resync when that is not known (the console then fetches again).
      if (followed.missed === null) send(frame('resync', { kind: 'resync', reason: 'replay unavailable' }));
      else for (const m of followed.missed) deliver(m);
      const beat = setInterval(() => {
        recheck().then(
          (fresh) => {
            if (!fresh) return stop();
            actor = fresh;
            send(': heartbeat\n\n');
          },
          () => send(': heartbeat\n\n'),
        );
      }, heartbeatMs);
      beat.unref();
      function stop() {
        clearInterval(beat);
        unsubscribe();
        open.delete(res);
        if (!res.writableEnded) res.end();
      }
      res.on('close', stop);
    },
  );
}

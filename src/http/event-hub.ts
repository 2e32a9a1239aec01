import type { Logger } from 'pino';
import { type Listener, listen } from '../db/listen.ts';
import { EVENTS_CHANNEL, type LiveEvent, parseEvents } from '../domain/events/events.ts';

// One LISTEN connection per process fans committed changes out to every open event stream. A
// reconnection after a lost connection is announced as a "resync" so streams tell their readers to
// fetch again (notifications sent meanwhile are lost).

export type HubMessage = { type: 'event'; event: LiveEvent } | { type: 'resync' };

export interface EventHub {
  subscribe(fn: (message: HubMessage) => void): () => void;
  /** Resolves once the hub listens: from then on no committed change is missed. */
  ready(): Promise<void>;
  /** Whether the hub listens now (false before it connects and while its connection is lost). */
  listening(): boolean;
  close(): Promise<void>;
}

export function startEventHub(url: string, log?: Logger): EventHub {
  const subscribers = new Set<(message: HubMessage) => void>();
  const send = (message: HubMessage) => {
    for (const fn of subscribers) fn(message);
  };
  let connectedBefore = false;
  let up = false;
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    listening = resolve;
  });
  const listener: Listener = listen(
    url,
    EVENTS_CHANNEL,
    {
      onNotify(payload) {
        for (const event of parseEvents(payload)) send({ type: 'event', event });
      },
      onConnect() {
        up = true;
        if (connectedBefore) send({ type: 'resync' });
        connectedBefore = true;
        listening();
      },
      onDisconnect() {
        up = false;
      },
      failureMessage: 'live event listener could not connect; retrying',
    },
    log,
  );
  return {
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    ready: () => ready,
    listening: () => up,
    async close() {
      up = false;
      listening();
      subscribers.clear();
      await listener.close();
    },
  };
}

import type { Logger } from 'pino';
import { type Listener, listen } from '../db/listen.ts';
import { EVENTS_CHANNEL, type LiveEvent, parseEvent } from '../domain/events/events.ts';

// One LISTEN connection per process fans committed changes out to every open event stream. A
// reconnection after a lost connection is announced as a "resync" so streams tell their readers to
// fetch again (notifications sent meanwhile are lost).

export type HubMessage = { type: 'event'; event: LiveEvent } | { type: 'resync' };

export interface EventHub {
  subscribe(fn: (message: HubMessage) => void): () => void;
  close(): Promise<void>;
}

export function startEventHub(url: string, log?: Logger): EventHub {
  const subscribers = new Set<(message: HubMessage) => void>();
  const send = (message: HubMessage) => {
    for (const fn of subscribers) fn(message);
  };
  let connectedBefore = false;
  const listener: Listener = listen(
    url,
    EVENTS_CHANNEL,
    {
      onNotify(payload) {
        const event = parseEvent(payload);
        if (event) send({ type: 'event', event });
      },
      onConnect() {
        if (connectedBefore) send({ type: 'resync' });
        connectedBefore = true;
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
    async close() {
      subscribers.clear();
      await listener.close();
    },
  };
}

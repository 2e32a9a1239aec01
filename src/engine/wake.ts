import type { Logger } from 'pino';
import { type Listener, listen } from '../db/listen.ts';

// The engine's ear: a dedicated connection LISTENing on tocsin_work (sent by the triggers of
// migrations 0131 and 0610 when work is committed, by any instance). Each notification wakes the
// local engine, with its payload: '' (a pass) or the name of the module whose work committed
// ('outbox': delivery starts at once).
// While the connection is lost the engine's poll interval still finds the work, so a missed
// notification only costs latency, never work.

export const WORK_CHANNEL = 'tocsin_work';

export type WorkListener = Listener;

export function listenForWork(url: string, onWork: (what: string) => void, log?: Logger): WorkListener {
  return listen(
    url,
    WORK_CHANNEL,
    {
      onNotify: (payload) => onWork(payload),
      // Work committed while we were not listening: look now.
      onConnect: () => onWork(''),
      failureMessage: 'engine wake-up listener could not connect; polling until it can',
    },
    log,
  );
}

import type { Logger } from 'pino';
import { type Listener, listen } from '../db/listen.ts';

// The engine's ear: a dedicated connection LISTENing on tocsin_work (sent by the triggers of
// migration 0131 when work is committed, by any instance). Each notification wakes the local engine.
// While the connection is lost the engine's poll interval still finds the work, so a missed
// notification only costs latency, never work.

export const WORK_CHANNEL = 'tocsin_work';

export type WorkListener = Listener;

export function listenForWork(url: string, onWork: () => void, log?: Logger): WorkListener {
  return listen(
    url,
    WORK_CHANNEL,
    {
      onNotify: () => onWork(),
      // Work committed while we were not listening: look now.
      onConnect: () => onWork(),
      failureMessage: 'engine wake-up listener could not connect; polling until it can',
    },
    log,
  );
}

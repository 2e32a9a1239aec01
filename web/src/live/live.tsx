import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { authHeaders } from '../api/client';
import { type LiveStatus, openStream } from './sse';

// One event stream per tab. Each event names what changed; the queries showing it are refetched,
// so every page is live without knowing about the stream.

const LiveContext = createContext<LiveStatus>('connecting');

/** Query keys to refetch for an event kind (and the changed thing's id). */
export function keysFor(kind: string, id: string | undefined): unknown[][] {
  switch (kind) {
    case 'incident.changed':
      return id ? [['incidents'], ['incident', id]] : [['incidents'], ['incident']];
    case 'alert.changed':
      return [['alerts']];
    case 'page.changed':
      return id
        ? [
            ['pages', id],
            ['incident', id],
          ]
        : [['pages']];
    case 'oncall.changed':
      return [['oncall'], ['shifts'], ['overrides']];
    default:
      return [];
  }
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(
    () =>
      openStream(
        '/api/v1/events/stream',
        () => authHeaders('GET'),
        (message) => {
          // The server could not replay what this tab missed while reconnecting: fetch everything again.
          if (message.event === 'resync') return void queryClient.invalidateQueries();
          let id: string | undefined;
          try {
            const data = JSON.parse(message.data) as { id?: unknown; incident_id?: unknown };
            const raw = message.event === 'page.changed' ? (data.incident_id ?? data.id) : data.id;
            id = raw === undefined || raw === null ? undefined : String(raw);
          } catch {}
          for (const queryKey of keysFor(message.event, id)) void queryClient.invalidateQueries({ queryKey });
        },
        setStatus,
      ),
    [queryClient],
  );
  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext);
}

/** The header's indicator; a dropped stream says so (role=status, announced politely). */
export function LiveIndicator() {
  const status = useLiveStatus();
  const text = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[status];
  return (
    <span className={`live live-${status}`} role="status" aria-live="polite" data-live={status}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

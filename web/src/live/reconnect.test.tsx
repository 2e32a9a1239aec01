import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveIndicator, LiveProvider } from './live';
import { type LiveStatus, openStream, type SseMessage } from './sse';

// The stream dropping and coming back, with a controlled fetch and fake timers (no waiting on the
// wall clock): the Reconnecting state shows, and the reconnect asks for what it missed.

interface Call {
  headers: Record<string, string>;
  /** Sends text on this connection's body. */
  push: (text: string) => void;
  /** Ends this connection (the server went away). */
  drop: () => void;
}

let calls: Call[];

function fakeFetch() {
  calls = [];
  return vi.fn(async (_url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const encoder = new TextEncoder();
    init.signal.addEventListener('abort', () => controller.error(new Error('aborted')));
    calls.push({
      headers: init.headers,
      push: (text) => controller.enqueue(encoder.encode(text)),
      drop: () => controller.close(),
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  });
}

/** Lets the stream's promises (fetch, reads) run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await act(async () => await Promise.resolve());
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('fetch', fakeFetch());
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('openStream', () => {
  it('goes reconnecting when the stream drops and reconnects with the last event id it saw', async () => {
    const statuses: LiveStatus[] = [];
    const got: SseMessage[] = [];
    const close = openStream(
      '/api/v1/events/stream',
      () => ({}),
      (m) => got.push(m),
      (s) => statuses.push(s),
    );
    await settle();
    expect(statuses).toEqual(['connecting', 'live']);
    expect(calls[0]?.headers['last-event-id']).toBeUndefined();
    calls[0]?.push('id: ab12-7\nevent: incident.changed\ndata: {"id":"3"}\n\n');
    await settle();
    expect(got).toEqual([{ id: 'ab12-7', event: 'incident.changed', data: '{"id":"3"}' }]);
    calls[0]?.drop();
    await settle();
    expect(statuses.at(-1)).toBe('reconnecting');
    expect(calls).toHaveLength(1);
    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    await settle();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers['last-event-id']).toBe('ab12-7');
    expect(statuses.at(-1)).toBe('live');
    close();
  });

  it('reads a reconnect with no event id seen as a resync (the gap cannot be replayed)', async () => {
    const got: SseMessage[] = [];
    const close = openStream(
      '/api/v1/events/stream',
      () => ({}),
      (m) => got.push(m),
      () => {},
    );
    await settle();
    expect(got).toEqual([]);
    calls[0]?.drop();
    await settle();
    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    await settle();
    expect(calls[1]?.headers['last-event-id']).toBeUndefined();
    expect(got.map((m) => m.event)).toEqual(['resync']);
    close();
  });
});

describe('LiveIndicator', () => {
  it('shows Reconnecting… while the stream is down, refetching everything on a resync', async () => {
    const client = new QueryClient();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    render(
      <QueryClientProvider client={client}>
        <LiveProvider>
          <LiveIndicator />
        </LiveProvider>
      </QueryClientProvider>,
    );
    await settle();
    expect(screen.getByRole('status').textContent).toBe('Live');
    calls[0]?.drop();
    await settle();
    expect(screen.getByRole('status').textContent).toBe('Reconnecting…');
    expect(screen.getByRole('status').getAttribute('data-live')).toBe('reconnecting');
    await act(async () => {
      vi.advanceTimersByTime(1000);
    });
    await settle();
    expect(screen.getByRole('status').textContent).toBe('Live');
    // The server could not replay the gap: every query is fetched again.
    calls[1]?.push('event: resync\ndata: {"kind":"resync"}\n\n');
    await settle();
    expect(invalidate).toHaveBeenCalledWith();
  });
});

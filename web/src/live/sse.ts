// Server-sent events read from a fetch body (EventSource cannot send the bearer header of an API
// token sign-in). Parses the text/event-stream format: blocks separated by a blank line, `event:`
// and `data:` fields, `:` comments (the server's heartbeats).

export interface SseMessage {
  event: string;
  data: string;
  /** The event's id (`id:` field), when the server numbered it. */
  id?: string;
}

/** Feeds chunks of the stream; calls `emit` for each complete message. */
export class SseParser {
  private buffer = '';
  constructor(private readonly emit: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.block(block);
    }
  }

  private block(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\u0000')) id = value;
    }
    if (data.length > 0) this.emit({ event, data: data.join('\n'), ...(id === undefined ? {} : { id }) });
  }
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * Keeps one stream open, reconnecting with a growing pause (1 s … 15 s) when it drops. A reconnect
 * sends the last event id seen (Last-Event-ID), so the server replays what was missed or says
 * "resync"; with no id seen yet, the reconnect itself reads as a resync. Returns a function that
 * closes it.
 */
export function openStream(
  url: string,
  headers: () => Record<string, string>,
  onMessage: (message: SseMessage) => void,
  onStatus: (status: LiveStatus) => void,
): () => void {
  let closed = false;
  let controller: AbortController | undefined;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let lastEventId: string | undefined;
  const receive = (message: SseMessage) => {
    if (message.id !== undefined) lastEventId = message.id;
    onMessage(message);
  };

  async function connect(): Promise<void> {
    controller = new AbortController();
    try {
      const response = await fetch(url, {
        headers: {
          accept: 'text/event-stream',
          ...headers(),
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
        credentials: 'same-origin',
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      // Back after a drop with no event id to replay from: nothing says what was missed, so resync.
      if (attempt > 0 && lastEventId === undefined) onMessage({ event: 'resync', data: '{"kind":"resync"}' });
      attempt = 0;
      onStatus('live');
      const parser = new SseParser(receive);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      // Dropped, refused or aborted: reconnect below unless closed.
    }
    if (closed) return;
    onStatus('reconnecting');
    attempt += 1;
    retry = setTimeout(() => void connect(), Math.min(15_000, 1000 * 2 ** Math.min(attempt - 1, 4)));
  }

  onStatus('connecting');
  void connect();
  return () => {
    closed = true;
    if (retry) clearTimeout(retry);
    controller?.abort();
  };
}

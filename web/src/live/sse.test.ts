import { describe, expect, it } from 'vitest';
import { type SseMessage, SseParser } from './sse';

describe('SseParser', () => {
  it('emits named events split across chunks, skips heartbeat comments', () => {
    const got: SseMessage[] = [];
    const parser = new SseParser((m) => got.push(m));
    parser.push(': heartbeat\n\nevent: incident.changed\nda');
    expect(got).toEqual([]);
    parser.push('ta: {"kind":"incident.changed","id":"7"}\n\n');
    parser.push('event: alert.changed\r\ndata: {"id":"3"}\r\n\r\n');
    expect(got).toEqual([
      { event: 'incident.changed', data: '{"kind":"incident.changed","id":"7"}' },
      { event: 'alert.changed', data: '{"id":"3"}' },
    ]);
  });

  it('joins multi-line data and defaults the event name to message', () => {
    const got: SseMessage[] = [];
    new SseParser((m) => got.push(m)).push('data: a\ndata: b\n\n');
    expect(got).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});

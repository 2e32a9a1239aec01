import { describe, expect, it } from 'vitest';
import { type Actor, ANONYMOUS } from '../context.ts';
import { parseEvents, visibleTo } from './events.ts';

const parseEvent = (payload: string) => parseEvents(payload)[0];

const user = (role: Actor['role'], userId = '7'): Actor => ({
  kind: 'user',
  userId,
  name: 'u',
  role,
  leadership: false,
});

describe('live events', () => {
  it('parses the payloads of migration 0301 and drops anything else', () => {
    expect(parseEvent('{"kind":"incident.changed","id":"3"}')).toEqual({ kind: 'incident.changed', id: '3' });
    expect(parseEvent('{"kind":"page.changed","id":"4","incident_id":null,"user_id":"7"}')).toMatchObject({
      kind: 'page.changed',
      user_id: '7',
    });
    expect(parseEvent('{"kind":"secret.changed","id":"1"}')).toBeUndefined();
    expect(parseEvent('{"kind":"incident.changed"}')).toBeUndefined();
    expect(parseEvent('not json')).toBeUndefined();
  });

  it('turns a batch (new alerts, migration 0630) into one event per alert', () => {
    expect(
      parseEvents(
        '{"kind":"alert.changed","batch":[{"id":"1","incident_id":null},{"id":"2","incident_id":"9"}]}',
      ),
    ).toEqual([
      { kind: 'alert.changed', id: '1', incident_id: null },
      { kind: 'alert.changed', id: '2', incident_id: '9' },
    ]);
    expect(parseEvents('{"kind":"alert.changed","batch":[{"incident_id":"9"}]}')).toEqual([]);
    expect(parseEvents('{"kind":"secret.changed","batch":[{"id":"1"}]}')).toEqual([]);
    // With an id of its own it is one event, batch or not (as before batches were told apart first).
    expect(parseEvents('{"kind":"alert.changed","id":"3","batch":[{"id":"1"}]}')).toEqual([
      { kind: 'alert.changed', id: '3', batch: [{ id: '1' }] },
    ]);
  });

  it('shows pages to responders and up, and to the person paged; nothing to the anonymous', () => {
    const page = { kind: 'page.changed' as const, id: '4', user_id: '7' };
    expect(visibleTo(user('viewer', '7'), page)).toBe(true);
    expect(visibleTo(user('viewer', '8'), page)).toBe(false);
    expect(visibleTo(user('viewer', '8'), { kind: 'page.changed', id: '4' })).toBe(false);
    expect(visibleTo(user('responder', '8'), page)).toBe(true);
    expect(visibleTo(user('viewer', '8'), { kind: 'incident.changed', id: '1' })).toBe(true);
    expect(visibleTo(ANONYMOUS, { kind: 'incident.changed', id: '1' })).toBe(false);
  });
});

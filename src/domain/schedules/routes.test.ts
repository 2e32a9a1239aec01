import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { onCallUserIds, scheduleExists } from './on-call.ts';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  admin = auth(t.adminToken);
  for (const handle of ['ra', 'rb', 'rc']) {
    await addUser(t.ctx(), handle);
  }
});
afterAll(() => t.close());

const schedule = {
  name: 'api-primary',
  description: 'API test',
  time_zone: 'Europe/London',
  layers: [
    { name: 'days', type: 'daily', handoff: '09:00', start: '2026-03-01', participants: ['ra', 'rb'] },
  ],
};

function get(url: string, headers = admin) {
  return t.app.inject({ method: 'GET', url, headers });
}

function post(url: string, payload: unknown, headers = admin) {
  return t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
}

function details(res: { json(): unknown }) {
  return (res.json() as { error: { details: { path: string; message: string }[] } }).error.details;
}

describe('schedules API', () => {
  it('creates, reads, lists, replaces and deletes a schedule', async () => {
    const created = await post('/api/v1/schedules', schedule);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().schedule).toMatchObject({
      name: 'api-primary',
      time_zone: 'Europe/London',
      team: null,
      layers: [
        { name: 'days', type: 'daily', handoff: '09:00', participants: ['ra', 'rb'], restrictions: [] },
      ],
    });
    expect((await post('/api/v1/schedules', schedule)).statusCode).toBe(409);
    expect((await get('/api/v1/schedules/api-primary')).json().schedule.layers[0].participants).toEqual([
      'ra',
      'rb',
    ]);
    expect((await get('/api/v1/schedules')).json().schedules.map((s: { name: string }) => s.name)).toContain(
      'api-primary',
    );

    const { name: _name, ...body } = schedule;
    const replaced = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/schedules/api-temp',
      headers: admin,
      payload: { ...body, layers: [{ ...body.layers[0], participants: ['rc'] }] },
    });
    expect(replaced.statusCode, replaced.body).toBe(201);
    const again = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/schedules/api-temp',
      headers: admin,
      payload: { ...body },
    });
    expect(again.json().change).toBe('updated');
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/v1/schedules/api-temp', headers: admin }))
        .statusCode,
    ).toBe(204);
    const audit = await get('/api/v1/audit?entity_type=schedule&entity_id=api-temp');
    expect(audit.json().entries.map((e: { action: string }) => e.action)).toEqual([
      'schedule.deleted',
      'schedule.updated',
      'schedule.created',
    ]);
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/v1/schedules/api-temp', headers: admin }))
        .statusCode,
    ).toBe(404);
    expect((await get('/api/v1/schedules/api-temp')).statusCode).toBe(404);
  });

  it('refuses bad schedules with 400 and the field path', async () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { ...schedule, name: 'bad-1', time_zone: 'Europe/Atlantis' },
        'body.time_zone',
        /unknown IANA time zone/,
      ],
      [
        { ...schedule, name: 'bad-2', layers: [{ ...schedule.layers[0], type: 'custom' }] },
        'body.layers.0.shift_length',
        /required/,
      ],
      [
        { ...schedule, name: 'bad-3', layers: [{ ...schedule.layers[0], handoff: '9am' }] },
        'body.layers.0.handoff',
        /HH:MM/,
      ],
      [
        {
          ...schedule,
          name: 'bad-4',
          layers: [
            { ...schedule.layers[0], restrictions: [{ days: ['mon'], start: '09:00', end: '09:00' }] },
          ],
        },
        'body.layers.0.restrictions.0.end',
        /differ/,
      ],
      [
        { ...schedule, name: 'bad-5', layers: [schedule.layers[0], schedule.layers[0]] },
        'body.layers.1.name',
        /twice/,
      ],
      [
        { ...schedule, name: 'bad-6', layers: [{ ...schedule.layers[0], start: '2026-02-30' }] },
        'body.layers.0.start',
        /calendar date/,
      ],
    ];
    for (const [payload, path, message] of cases) {
      const res = await post('/api/v1/schedules', payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(details(res)).toEqual(
        expect.arrayContaining([{ path, message: expect.stringMatching(message) }]),
      );
    }
    const unknown = await post('/api/v1/schedules', {
      ...schedule,
      name: 'bad-7',
      team: 'no-team',
      layers: [{ ...schedule.layers[0], participants: ['ra', 'ghost'] }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(details(unknown)).toEqual([
      { path: 'layers.0.participants.1', message: 'no user with handle "ghost"' },
      { path: 'team', message: 'no team "no-team"' },
    ]);
    expect((await get('/api/v1/schedules/bad-7')).statusCode).toBe(404); // nothing written
  });

  it('answers who is on call, the shift list and the range limit', async () => {
    // 2026-03-29 London: 09:00 GMT the day before, 09:00 BST (08:00Z) that day.
    const now = await get('/api/v1/schedules/api-primary/on-call?at=2026-03-29T07:59:00Z');
    expect(now.json().on_call).toMatchObject({
      users: ['rb'],
      shift: { start: '2026-03-28T09:00:00.000Z', end: '2026-03-29T08:00:00.000Z', layer: 'days' },
    });
    const shifts = await get(
      '/api/v1/schedules/api-primary/shifts?from=2026-03-28T00:00:00Z&to=2026-03-30T00:00:00Z',
    );
    expect(shifts.statusCode, shifts.body).toBe(200);
    expect(shifts.json().shifts.map((s: { start: string; users: string[] }) => [s.start, s.users])).toEqual([
      ['2026-03-28T00:00:00.000Z', ['ra']],
      ['2026-03-28T09:00:00.000Z', ['rb']],
      ['2026-03-29T08:00:00.000Z', ['ra']],
    ]);
    // Each layer's own shifts too, by handle: what the console draws a row a layer.
    expect(shifts.json().layers).toEqual([
      {
        name: 'days',
        shifts: [
          { start: '2026-03-28T00:00:00.000Z', end: '2026-03-28T09:00:00.000Z', user: 'ra' },
          { start: '2026-03-28T09:00:00.000Z', end: '2026-03-29T08:00:00.000Z', user: 'rb' },
          { start: '2026-03-29T08:00:00.000Z', end: '2026-03-30T00:00:00.000Z', user: 'ra' },
        ],
      },
    ]);
    const tooLong = await get(
      '/api/v1/schedules/api-primary/shifts?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z',
    );
    expect(tooLong.statusCode).toBe(400);
    expect(details(tooLong)).toEqual([{ path: 'querystring.to', message: 'at most 90 days after from' }]);
    const reversed = await get(
      '/api/v1/schedules/api-primary/shifts?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
    );
    expect(details(reversed)).toEqual([{ path: 'querystring.to', message: 'must be after from' }]);
    const badAt = await get('/api/v1/schedules/api-primary/on-call?at=yesterday');
    expect(badAt.statusCode).toBe(400);
    expect(details(badAt)[0]?.path).toBe('querystring.at');
    expect((await get('/api/v1/schedules/nope/shifts')).statusCode).toBe(404);

    const all = await get('/api/v1/oncall?at=2026-03-29T09:00:00Z');
    expect(all.json().on_call).toEqual(
      expect.arrayContaining([expect.objectContaining({ schedule: 'api-primary', users: ['ra'] })]),
    );
  });

  it('creates, lists and deletes overrides; a swap takes one user’s time, a full override everyone’s', async () => {
    const responder = auth(await t.tokenFor('responder'));
    const viewer = auth(await t.tokenFor('viewer'));
    const swap = await post(
      '/api/v1/schedules/api-primary/overrides',
      { start: '2026-04-01T12:00:00Z', end: '2026-04-01T14:00:00Z', user: 'rc', replaces: 'rb' },
      responder,
    );
    expect(swap.statusCode, swap.body).toBe(201);
    // ra is not on call that day: replacing ra would change nothing, so it is refused (issue 9).
    const noop = await post(
      '/api/v1/schedules/api-primary/overrides',
      { start: '2026-04-01T12:00:00Z', end: '2026-04-01T14:00:00Z', user: 'rc', replaces: 'ra' },
      responder,
    );
    expect(noop.statusCode).toBe(400);
    expect(noop.json().error.details).toEqual([
      expect.objectContaining({
        path: 'replaces',
        message: expect.stringContaining('ra has no shift in api-primary'),
      }),
    ]);
    // 2026-04-01 is day 31 of [ra, rb]: rb is on call, so the swap applies.
    expect(
      (await get('/api/v1/schedules/api-primary/on-call?at=2026-04-01T13:00:00Z')).json().on_call,
    ).toMatchObject({
      users: ['rc'],
      shift: { override: true, layer: 'days' },
    });
    const full = await post('/api/v1/schedules/api-primary/overrides', {
      start: '2026-04-02T12:00:00Z',
      end: '2026-04-02T14:00:00+00:00',
      user: 'rb',
    });
    expect(full.statusCode).toBe(201);
    expect(
      (await get('/api/v1/schedules/api-primary/on-call?at=2026-04-02T13:00:00Z')).json().on_call.users,
    ).toEqual(['rb']);

    const listed = await get(
      '/api/v1/schedules/api-primary/overrides?from=2026-04-01T00:00:00Z&to=2026-04-03T00:00:00Z',
    );
    expect(
      listed.json().overrides.map((o: { user: string; replaces: string | null }) => [o.user, o.replaces]),
    ).toEqual([
      ['rc', 'rb'],
      ['rb', null],
    ]);
    expect(
      (
        await post(
          '/api/v1/schedules/api-primary/overrides',
          { start: '2026-04-01T12:00:00Z', end: '2026-04-01T14:00:00Z', user: 'rc' },
          viewer,
        )
      ).statusCode,
    ).toBe(403);
    const bad = await post('/api/v1/schedules/api-primary/overrides', {
      start: '2026-04-01T12:00:00Z',
      end: '2026-04-01T11:00:00Z',
      user: 'rc',
    });
    expect(details(bad)).toEqual([{ path: 'body.end', message: 'must be after start' }]);
    const ghost = await post('/api/v1/schedules/api-primary/overrides', {
      start: '2026-04-01T12:00:00Z',
      end: '2026-04-01T13:00:00Z',
      user: 'ghost',
    });
    expect(details(ghost)).toEqual([{ path: 'user', message: 'no user with handle "ghost"' }]);

    const id = swap.json().override.id as string;
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/schedules/api-primary/overrides/${id}`,
      headers: responder,
    });
    expect(removed.statusCode).toBe(204);
    expect(
      (await get('/api/v1/schedules/api-primary/on-call?at=2026-04-01T13:00:00Z')).json().on_call.users,
    ).toEqual(['rb']);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/schedules/api-primary/overrides/${id}`,
      headers: admin,
    });
    expect(again.statusCode).toBe(404);
  });

  it('lets only managers change schedules', async () => {
    const responder = auth(await t.tokenFor('responder'));
    const res = await post('/api/v1/schedules', { ...schedule, name: 'by-responder' }, responder);
    expect(res.statusCode).toBe(403);
  });
});

describe('iCal feeds', () => {
  it('serves a schedule feed and a user feed by feed token, with stable UIDs and RFC 5545 lines', async () => {
    t.clock.set('2026-03-27T12:00:00Z');
    const ra = auth(await createdToken('ra'));
    const issued = await post('/api/v1/users/ra/feed-token', {}, ra);
    expect(issued.statusCode, issued.body).toBe(201);
    const feed = issued.json().feed_token as { token: string; user_feed_url: string };
    expect(feed.token).toMatch(/^tcf_/);
    expect(feed.user_feed_url).toBe(
      `http://tocsin.test/api/v1/users/ra/oncall.ical?token=${encodeURIComponent(feed.token)}`,
    );

    const url = `/api/v1/schedules/api-primary/ical?token=${encodeURIComponent(feed.token)}`;
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const text = res.body;
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF only
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const events = text.split('BEGIN:VEVENT').length - 1;
    // 14 days back to 90 ahead, one daily shift each (the first starts before the window), and the
    // full override of 2026-04-02 (test above) cutting one shift in three.
    expect(events).toBe(104 + 1 + 2);
    expect(text).toContain(
      'DTSTART:20260328T090000Z\r\nDTEND:20260329T080000Z\r\nSUMMARY:rb on call (api-primary)',
    );
    const uids = (body: string) => [...body.matchAll(/UID:(\S+)/g)].map((m) => m[1]);
    const later = await t.app.inject({ method: 'GET', url });
    expect(uids(later.body)).toEqual(uids(text));
    expect(new Set(uids(text)).size).toBe(events);

    const mine = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/ra/oncall.ical?token=${encodeURIComponent(feed.token)}`,
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('SUMMARY:On call: api-primary');
    expect(mine.body).not.toContain('DTSTART:20260328T090000Z'); // rb's shift
    // The same shift has the same UID in both feeds.
    const raShift = /UID:(\S+)\r\nDTSTAMP:\S+\r\nDTSTART:20260329T080000Z/;
    expect(raShift.exec(mine.body)?.[1]).toBe(raShift.exec(text)?.[1]);
  });

  it('refuses a feed without a valid feed token, and an API token in the URL', async () => {
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/schedules/api-primary/ical' })).statusCode,
    ).toBe(401);
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/api/v1/schedules/api-primary/ical?token=tcf_nope',
    });
    expect(wrong.statusCode).toBe(401);
    const apiToken = await t.app.inject({
      method: 'GET',
      url: `/api/v1/schedules/api-primary/ical?token=${encodeURIComponent(t.adminToken)}`,
    });
    expect(apiToken.statusCode).toBe(401);
    // A new feed token replaces the old one.
    const rb = auth(await createdToken('rb'));
    const first = (await post('/api/v1/users/rb/feed-token', {}, rb)).json().feed_token.token as string;
    const second = (await post('/api/v1/users/rb/feed-token', {}, rb)).json().feed_token.token as string;
    const feed = (token: string) =>
      t.app.inject({ method: 'GET', url: `/api/v1/users/rb/oncall.ical?token=${encodeURIComponent(token)}` });
    expect((await feed(first)).statusCode).toBe(401);
    expect((await feed(second)).statusCode).toBe(200);
    // Someone else's feed token: only the user or an admin.
    expect((await post('/api/v1/users/ra/feed-token', {}, rb)).statusCode).toBe(403);
  });
});

/** An API token for an existing user. */
async function createdToken(handle: string): Promise<string> {
  const res = await post('/api/v1/tokens', { name: 'feed test', user: handle });
  return res.json().token.token as string;
}

describe('onCallUserIds (the paging engine’s contract)', () => {
  it('answers user ids in two queries, [] for an unknown schedule', async () => {
    let queries = 0;
    const counting = new Proxy(t.db, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key === 'selectFrom' && typeof value === 'function') {
          return (...args: unknown[]) => {
            queries++;
            return value.apply(target, args);
          };
        }
        return value;
      },
    });
    const rb = await t.db
      .selectFrom('users')
      .select('id')
      .where('handle', '=', 'rb')
      .executeTakeFirstOrThrow();
    expect(await onCallUserIds(counting, 'api-primary', new Date('2026-03-28T12:00:00Z'))).toEqual([
      String(rb.id),
    ]);
    expect(queries).toBe(2);
    expect(await onCallUserIds(counting, 'no-such', new Date())).toEqual([]);
    expect(await scheduleExists(t.db, 'api-primary')).toBe(true);
    expect(await scheduleExists(t.db, 'no-such')).toBe(false);
  });

  it('documents the routes in OpenAPI', async () => {
    const spec = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/schedules',
        '/api/v1/schedules/{name}/shifts',
        '/api/v1/schedules/{name}/overrides',
        '/api/v1/schedules/{name}/ical',
        '/api/v1/oncall',
        '/api/v1/users/{handle}/oncall.ical',
      ]),
    );
  });
});

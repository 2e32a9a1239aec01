import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';

// PATCH /api/v1/me: everyone changes their own name and time zone, nothing else, validated.
let t: TestApp;
let mine: Record<string, string>;
let viewer: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  mine = auth(await t.tokenFor('responder', 'meron'));
  viewer = auth(await t.tokenFor('viewer', 'yonas'));
});
afterAll(() => t.close());

async function patch(body: unknown, headers = mine) {
  const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', payload: body as object, headers });
  return { status: res.statusCode, body: res.json() };
}

describe('editing my profile', () => {
  it('changes my name and time zone, audited, and the session answer shows them', async () => {
    const res = await patch({ name: 'Meron Tesfaye', time_zone: 'Africa/Addis_Ababa' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user).toMatchObject({
      handle: 'meron',
      name: 'Meron Tesfaye',
      time_zone: 'Africa/Addis_Ababa',
      role: 'responder',
    });
    const session = await t.app.inject({ url: '/api/v1/auth/session', headers: mine });
    expect(session.json().user).toMatchObject({ name: 'Meron Tesfaye', time_zone: 'Africa/Addis_Ababa' });
    // Only the time zone: the name stays.
    expect((await patch({ time_zone: 'Europe/Berlin' })).body.user).toMatchObject({
      name: 'Meron Tesfaye',
      time_zone: 'Europe/Berlin',
    });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_name', 'action'])
      .where('action', '=', 'user.profile_updated')
      .execute();
    expect(audit).toEqual([
      { actor_name: 'meron', action: 'user.profile_updated' },
      { actor_name: 'meron', action: 'user.profile_updated' },
    ]);
    // The same values again change nothing and write no audit row.
    await patch({ time_zone: 'Europe/Berlin' });
    const after = await t.db.selectFrom('audit_log').where('action', '=', 'user.profile_updated').execute();
    expect(after).toHaveLength(2);
    // A viewer edits their own profile too.
    expect((await patch({ name: 'Yonas' }, viewer)).status).toBe(200);
  });

  it('refuses an unknown time zone, an empty name and fields that are not mine to change', async () => {
    for (const [body, path] of [
      [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
      [{ time_zone: 'UTC+3' }, 'time_zone'],
      [{ name: '   ' }, 'name'],
      [{ role: 'admin' }, ''],
    ] as const) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body.error.details)).toContain(path);
    }
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('handle', '=', 'meron')
      .executeTakeFirstOrThrow();
    expect(user.role).toBe('responder');
  });

  it('needs a user: the system token of an unknown caller is refused', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', payload: { name: 'x' } });
    expect(res.statusCode).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { codeMatches, hashCode } from './contacts.ts';
import { findUserByContact } from './find-user-by-contact.ts';

// Contact methods and notification rules through the HTTP API, as users and admins call them.
let t: TestApp;
let dawit: string;
let hanna: string;
let viewer: string;
let responder: string;
let manager: string;

beforeAll(async () => {
  t = await testApp();
  dawit = await t.tokenFor('responder', 'dawit');
  hanna = await t.tokenFor('responder', 'hanna');
  viewer = await t.tokenFor('viewer', 'priya');
  responder = await t.tokenFor('responder', 'abel');
  manager = await t.tokenFor('manager', 'jordan');
});
afterAll(() => t.close());

const methods = (handle: string) => `/api/v1/users/${handle}/contact-methods`;

async function call(
  token: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  url: string,
  body?: unknown,
) {
  const res = await t.app.inject({
    method,
    url,
    headers: auth(token),
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.json() };
}

async function add(token: string, handle: string, method: Record<string, unknown>) {
  const res = await call(token, 'POST', methods(handle), method);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.contact_method as { id: string; verified: boolean; address: string; kind: string };
}

/** The codes queued for a method, oldest first, read from the outbox as a provider would. */
async function codesSent(id: string) {
  const rows = await t.db
    .selectFrom('outbox')
    .select(['channel', 'destination', 'payload', 'dedup_key'])
    .where('dedup_key', 'like', `contact-verify:${id}:%`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, payload: r.payload as { kind: string; text: string; code: string } }));
}

async function lastCode(id: string): Promise<string> {
  const codes = await codesSent(id);
  return (codes.at(-1) as { payload: { code: string } }).payload.code;
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('adding a contact method', () => {
  it('stores it unverified and queues a 6-digit code to its address on its own channel', async () => {
    const m = await add(dawit, 'dawit', { kind: 'sms', address: '+251911234567', label: 'mobile' });
    expect(m).toMatchObject({ kind: 'sms', address: '+251911234567', verified: false });
    const sent = await codesSent(m.id);
    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message?.channel).toBe('sms');
    expect(message?.destination).toBe('+251911234567');
    expect(message?.dedup_key).toBe(`contact-verify:${m.id}:1`);
    expect(message?.payload.kind).toBe('verify');
    expect(message?.payload.code).toMatch(/^[0-9]{6}$/);
    // It says what it is for and how to use it, in one SMS segment (issue 9, item 6).
    const code = String(message?.payload.code);
    expect(message?.payload.text).toBe(
      `Tocsin code ${code}: confirms you get on-call pages here. Enter it: npx tocsin contact verify ${m.id} ${code} (15 min). Not you? Ignore this.`,
    );
    expect(String(message?.payload.text).length).toBeLessThanOrEqual(160);
    // Only a salted hash is stored and nothing of it is returned.
    const row = await t.db
      .selectFrom('contact_methods')
      .selectAll()
      .where('id', '=', m.id)
      .executeTakeFirstOrThrow();
    expect(row.code_hash).not.toContain(message?.payload.code);
    expect(JSON.stringify(m)).not.toContain('hash');
    const listed = await call(dawit, 'GET', methods('dawit'));
    expect(JSON.stringify(listed.body)).not.toContain(row.code_hash as string);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'contact_method')
      .where('entity_id', '=', m.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['contact_method.created']);
  });

  it.each([
    ['email', 'not-an-email'],
    ['sms', '0911234567'],
    ['voice', '+0911234567'],
    ['push', 'has spaces'],
    ['push', 'x'.repeat(65)],
    ['slack', 'C024BE7LH'],
    ['slack', 'U12'],
  ])('refuses %s address %j with 400 at body.address', async (kind, address) => {
    const res = await call(dawit, 'POST', methods('dawit'), { kind, address });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'body.address', message: expect.stringMatching(/^not /) },
    ]);
  });

  it('refuses an unknown kind and unknown fields with their paths', async () => {
    const res = await call(dawit, 'POST', methods('dawit'), { kind: 'fax', address: '+1', extra: 1 });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('body.kind');
    expect(paths).toContain('body.extra');
  });

  it('accepts each kind in its own format and refuses the same address twice', async () => {
    await add(hanna, 'hanna', { kind: 'email', address: 'Hanna@Example.com' });
    await add(hanna, 'hanna', { kind: 'voice', address: '+4915112345678' });
    await add(hanna, 'hanna', { kind: 'push', address: 'tocsin-hanna_1' });
    await add(hanna, 'hanna', { kind: 'slack', address: 'U024BE7LH' });
    const again = await call(hanna, 'POST', methods('hanna'), {
      kind: 'email',
      address: 'hanna@example.com',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.details[0].path).toBe('address');
  });
});

describe('verification', () => {
  it('verifies with the right code, once; a repeat is not an error', async () => {
    const m = await add(dawit, 'dawit', { kind: 'push', address: 'dawit-phone' });
    const code = await lastCode(m.id);
    const ok = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code });
    expect(ok.status).toBe(200);
    expect(ok.body.contact_method).toMatchObject({
      verified: true,
      verified_at: t.clock.now().toISOString(),
    });
    const again = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code });
    expect(again.status).toBe(200);
    expect(await findUserByContact(t.db, 'push', 'dawit-phone')).toBeDefined();
  });

  it('refuses a wrong code with 400 at code and counts it', async () => {
    const m = await add(dawit, 'dawit', { kind: 'email', address: 'dawit.wrong@example.com' });
    const code = await lastCode(m.id);
    const res = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code: wrong(code) });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'code', message: 'wrong code; 4 tries left' }]);
    const row = await t.db
      .selectFrom('contact_methods')
      .selectAll()
      .where('id', '=', m.id)
      .executeTakeFirstOrThrow();
    expect(row.code_attempts).toBe(1);
    expect(row.verified_at).toBeNull();
    expect(await findUserByContact(t.db, 'email', 'dawit.wrong@example.com')).toBeUndefined();
    const malformed = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code: '12ab' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].path).toBe('body.code');
  });

  it('refuses an expired code; a new code works', async () => {
    const m = await add(dawit, 'dawit', { kind: 'voice', address: '+251911000001' });
    const code = await lastCode(m.id);
    t.clock.advance(15 * 60_000);
    const expired = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code });
    expect(expired.status).toBe(400);
    expect(expired.body.error.details[0].message).toMatch(/^expired/);
    const resent = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/send-code`);
    expect(resent.status).toBe(202);
    const fresh = await lastCode(m.id);
    expect((await codesSent(m.id)).map((c) => c.dedup_key)).toEqual([
      `contact-verify:${m.id}:1`,
      `contact-verify:${m.id}:2`,
    ]);
    const ok = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code: fresh });
    expect(ok.status).toBe(200);
  });

  it('after five wrong codes even the right one is refused until a new code is requested', async () => {
    const m = await add(dawit, 'dawit', { kind: 'sms', address: '+251911000002' });
    const code = await lastCode(m.id);
    for (let i = 0; i < 5; i++) {
      const res = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code: wrong(code) });
      expect(res.status).toBe(400);
    }
    const locked = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    t.clock.advance(60_000);
    await call(dawit, 'POST', `${methods('dawit')}/${m.id}/send-code`);
    const fresh = await lastCode(m.id);
    expect((await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code: fresh })).status).toBe(
      200,
    );
  });

  it('sends a new code at most once a minute per method', async () => {
    const m = await add(dawit, 'dawit', { kind: 'email', address: 'dawit.resend@example.com' });
    const soon = await call(dawit, 'POST', `${methods('dawit')}/${m.id}/send-code`);
    expect(soon.status).toBe(429);
    expect(soon.body.error.message).toMatch(/ask again in 60s/);
    t.clock.advance(59_000);
    expect((await call(dawit, 'POST', `${methods('dawit')}/${m.id}/send-code`)).status).toBe(429);
    t.clock.advance(1_000);
    expect((await call(dawit, 'POST', `${methods('dawit')}/${m.id}/send-code`)).status).toBe(202);
    expect(await codesSent(m.id)).toHaveLength(2);
    // The old code no longer works.
    const codes = await codesSent(m.id);
    const old = codes[0]?.payload.code as string;
    if (old !== codes[1]?.payload.code) {
      expect((await call(dawit, 'POST', `${methods('dawit')}/${m.id}/verify`, { code: old })).status).toBe(
        400,
      );
    }
  });

  it('hashes codes with a salt and compares them exactly', () => {
    const h = hashCode('123456');
    expect(h).not.toBe(hashCode('123456'));
    expect(codeMatches(h, '123456')).toBe(true);
    expect(codeMatches(h, '123457')).toBe(false);
  });
});

describe('permissions', () => {
  it("refuses changing another user's methods to a responder; a manager may", async () => {
    const m = await add(hanna, 'hanna', { kind: 'sms', address: '+4915100000001' });
    const tries = [
      await call(dawit, 'POST', methods('hanna'), { kind: 'push', address: 'not-mine' }),
      await call(dawit, 'DELETE', `${methods('hanna')}/${m.id}`),
      await call(dawit, 'PATCH', `${methods('hanna')}/${m.id}`, { disabled: true }),
      await call(dawit, 'POST', `${methods('hanna')}/${m.id}/send-code`),
      await call(dawit, 'POST', `${methods('hanna')}/${m.id}/verify`, { code: '000000' }),
      await call(dawit, 'PUT', '/api/v1/users/hanna/notification-rules', { rules: [] }),
    ];
    for (const res of tries) expect(res.status).toBe(403);
    expect((await call(responder, 'GET', methods('hanna'))).status).toBe(200);
    const patched = await call(manager, 'PATCH', `${methods('hanna')}/${m.id}`, { label: 'work' });
    expect(patched.status).toBe(200);
    expect(patched.body.contact_method.label).toBe('work');
  });

  it('lets a viewer manage and read only their own', async () => {
    const own = await add(viewer, 'priya', { kind: 'email', address: 'priya@example.com' });
    expect(own.verified).toBe(false);
    expect((await call(viewer, 'GET', methods('priya'))).status).toBe(200);
    expect((await call(viewer, 'GET', methods('hanna'))).status).toBe(403);
    expect((await call(viewer, 'GET', '/api/v1/users/hanna/notification-rules')).status).toBe(403);
  });

  it('answers 401 without a token and 404 for an unknown user or method', async () => {
    const anon = await t.app.inject({ method: 'GET', url: methods('dawit') });
    expect(anon.statusCode).toBe(401);
    expect((await call(manager, 'GET', methods('nobody'))).status).toBe(404);
    expect((await call(dawit, 'DELETE', `${methods('dawit')}/999999`)).status).toBe(404);
  });
});

describe('notification rules', () => {
  it('sets rules by label, kind or id, shows them, and refuses unknown contacts at their path', async () => {
    const token = await t.tokenFor('responder', 'sara');
    const sms = await add(token, 'sara', { kind: 'sms', address: '+251911000010', label: 'mobile' });
    await add(token, 'sara', { kind: 'email', address: 'sara@example.com' });
    const bad = await call(token, 'PUT', '/api/v1/users/sara/notification-rules', {
      rules: [
        { contact: 'pager', after: '0m' },
        { contact: 'email', after: 'soon' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'body.rules.1.after', message: expect.any(String) }]);
    const unknown = await call(token, 'PUT', '/api/v1/users/sara/notification-rules', {
      rules: [{ contact: 'pager', after: '0m' }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatchObject({ path: 'rules.0.contact' });
    const set = await call(token, 'PUT', '/api/v1/users/sara/notification-rules', {
      rules: [
        { contact: 'email', after: '5m' },
        { contact_method_id: sms.id, after: '0m' },
      ],
      quiet_hours: { start: '22:00', end: '07:00' },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const got = await call(token, 'GET', '/api/v1/users/sara/notification-rules');
    expect(got.body.notification_rules).toMatchObject({
      user: 'sara',
      quiet_hours: { start: '22:00', end: '07:00' },
      rules: [
        { contact: 'email', kind: 'email', after: '5m', delay_seconds: 300, verified: false },
        { contact: 'mobile', kind: 'sms', after: '0m', delay_seconds: 0, verified: false },
      ],
    });
    // Deleting a method takes its rules with it.
    await call(token, 'DELETE', `${methods('sara')}/${sms.id}`);
    const after = await call(token, 'GET', '/api/v1/users/sara/notification-rules');
    expect(after.body.notification_rules.rules.map((r: { contact: string }) => r.contact)).toEqual(['email']);
  });
});

describe('quiet hours', () => {
  it('sets, keeps when left out, refuses an empty window, and clears with null', async () => {
    const token = await t.tokenFor('responder', 'lulit');
    const url = '/api/v1/users/lulit/notification-rules';
    const empty = await call(token, 'PUT', url, { rules: [], quiet_hours: { start: '22:00', end: '22:00' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([
      { path: 'body.quiet_hours.end', message: 'must differ from start' },
    ]);
    const badTime = await call(token, 'PUT', url, {
      rules: [],
      quiet_hours: { start: '24:00', end: '07:00' },
    });
    expect(badTime.body.error.details[0].path).toBe('body.quiet_hours.start');
    await call(token, 'PUT', url, { rules: [], quiet_hours: { start: '22:00', end: '07:00' } });
    const kept = await call(token, 'PUT', url, { rules: [] });
    expect(kept.body.notification_rules.quiet_hours).toEqual({ start: '22:00', end: '07:00' });
    const cleared = await call(token, 'PUT', url, { rules: [], quiet_hours: null });
    expect(cleared.body.notification_rules.quiet_hours).toBeNull();
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'notification_rules.updated')
      .where('actor_name', '=', 'lulit')
      .execute();
    // Set, then cleared: the repeat in between changed nothing and wrote nothing.
    expect(audit).toHaveLength(2);
  });
});

describe('OpenAPI', () => {
  it('documents the contact routes with their bodies', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<string, Record<string, { requestBody?: unknown }>>;
    const base = '/api/v1/users/{handle}/contact-methods';
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        base,
        `${base}/{id}`,
        `${base}/{id}/verify`,
        `${base}/{id}/send-code`,
        '/api/v1/users/{handle}/notification-rules',
      ]),
    );
    expect(JSON.stringify(paths[base]?.post?.requestBody)).toContain('"slack"');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { createMetrics } from '../../http/metrics.ts';
import { MAX_CONTACT_METHODS, VERIFICATION_SEND_LIMITS } from './contacts.ts';
import * as contacts from './queries.ts';
import { checkVerificationSend } from './verification-limits.ts';

// Verification codes cost money (SMS, calls) and reach strangers: a user cannot make Tocsin send
// them without limit, to one address or in total, and each refusal shows in /metrics.

let t: TestApp;
let viewer: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await testApp();
  viewer = await t.tokenFor('viewer', 'vic');
});
afterAll(() => t.close());

const add = (token: string, handle: string, body: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/users/${handle}/contact-methods`,
    headers: auth(token),
    payload: body,
  });

async function refusals(reason: string): Promise<number> {
  const text = await createMetrics().registry.metrics();
  const m = new RegExp(`tocsin_contact_verification_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return Number(m?.[1] ?? 0);
}

describe('verification sends', () => {
  it('are limited per user and hour: 429 with Retry-After, counted in /metrics, allowed again later', async () => {
    const before = await refusals('user');
    for (let i = 0; i < VERIFICATION_SEND_LIMITS.perUser; i++) {
      const res = await add(viewer, 'vic', { kind: 'email', address: `vic${i}@example.com` });
      expect(res.statusCode, res.body).toBe(201);
    }
    const refused = await add(viewer, 'vic', { kind: 'email', address: 'vic-more@example.com' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await refusals('user')).toBe(before + 1);
    t.clock.advance(HOUR);
    expect((await add(viewer, 'vic', { kind: 'email', address: 'vic-more@example.com' })).statusCode).toBe(
      201,
    );
  });

  it('are limited per destination, whoever asks', async () => {
    t.clock.advance(HOUR);
    const before = await refusals('destination');
    const target = { kind: 'sms', address: '+15550100200' };
    for (let i = 0; i < VERIFICATION_SEND_LIMITS.perDestination; i++) {
      const token = await t.tokenFor('viewer', `harasser${i}`);
      expect((await add(token, `harasser${i}`, target)).statusCode).toBe(201);
    }
    const next = await t.tokenFor('viewer', 'harasser-next');
    const refused = await add(next, 'harasser-next', target);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.details[0].message).toContain('destination');
    expect(await refusals('destination')).toBe(before + 1);
  });

  it('are limited per server', async () => {
    t.clock.advance(HOUR);
    const token = await t.tokenFor('viewer', 'many');
    for (let i = 0; i < 3; i++) {
      expect((await add(token, 'many', { kind: 'email', address: `many${i}@example.com` })).statusCode).toBe(
        201,
      );
    }
    const user = await t.db
      .selectFrom('users')
      .select('id')
      .where('handle', '=', 'many')
      .executeTakeFirstOrThrow();
    const [method] = await contacts.listMethods(t.db, user.id);
    if (!method) throw new Error('no method');
    const before = await refusals('server');
    // Three sends in this hour server-wide; a server limit of 3 refuses the next.
    await expect(
      checkVerificationSend(t.db, method, t.clock.now(), { perUser: 100, perDestination: 100, perServer: 3 }),
    ).rejects.toThrow(/sent by this server/);
    expect(await refusals('server')).toBe(before + 1);
  });
});

describe('contact methods per user', () => {
  it('are capped, with the field named and the refusal counted', async () => {
    const token = await t.tokenFor('viewer', 'collector');
    const before = await refusals('too_many_methods');
    for (let i = 0; i < MAX_CONTACT_METHODS; i++) {
      // Stay under the hourly send limit: a new hour every few methods.
      if (i % VERIFICATION_SEND_LIMITS.perUser === 0) t.clock.advance(HOUR);
      const res = await add(token, 'collector', { kind: 'email', address: `c${i}@example.com` });
      expect(res.statusCode, res.body).toBe(201);
    }
    t.clock.advance(HOUR);
    const refused = await add(token, 'collector', { kind: 'email', address: 'one-too-many@example.com' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details[0]).toMatchObject({ path: 'address' });
    expect(await refusals('too_many_methods')).toBe(before + 1);
  });
});

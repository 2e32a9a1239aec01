import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { saveUser } from '../users/save-user.ts';
import { applyDeclaredContacts } from './apply-declared-contacts.ts';
import type { Declared } from './declared-contacts.ts';
import { findUserByContact } from './find-user-by-contact.ts';
import { notificationPlan } from './notification-plan.ts';
import * as contacts from './queries.ts';
import { heldUntil, quietUntil } from './quiet-hours.ts';
import { updateContactMethod } from './update-contact-method.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

async function user(handle: string, email: string | null, declared: Declared = {}, timeZone = 'UTC') {
  const { item } = await saveUser({
    ctx: t.ctx(),
    input: {
      user: { handle, name: handle, email, role: 'responder', leadership: false, time_zone: timeZone },
      mode: 'upsert',
    },
  });
  await applyDeclaredContacts({ ctx: t.ctx(), input: { user: handle, declared } });
  return item.id;
}

const contact = (
  kind: 'email' | 'sms' | 'voice' | 'push' | 'slack',
  address: string,
  label: string,
  verified = true,
) => ({
  kind,
  address,
  label,
  verified,
  disabled: false,
});

describe('notificationPlan', () => {
  it('lists verified, enabled methods in delay order, with their ids', async () => {
    const id = await user('kebede', 'kebede@example.com', {
      contacts: [
        contact('voice', '+251911000100', 'phone'),
        contact('push', 'kebede', 'push'),
        contact('email', 'kebede@example.com', 'mail'),
      ],
      notificationRules: [
        { contact: 'phone', after: '5m' },
        { contact: 'push', after: '0m' },
        { contact: 'mail', after: '1m' },
        { contact: 'phone', after: '15m' },
      ],
    });
    const methods = await contacts.listMethods(t.db, id);
    const idOf = (label: string) => methods.find((m) => m.label === label)?.id;
    expect(await notificationPlan(t.db, id)).toEqual([
      { contactMethodId: idOf('push'), kind: 'push', address: 'kebede', delaySeconds: 0 },
      { contactMethodId: idOf('mail'), kind: 'email', address: 'kebede@example.com', delaySeconds: 60 },
      { contactMethodId: idOf('phone'), kind: 'voice', address: '+251911000100', delaySeconds: 300 },
      { contactMethodId: idOf('phone'), kind: 'voice', address: '+251911000100', delaySeconds: 900 },
    ]);
  });

  it('keeps only the given kinds, and gives [] when none is left', async () => {
    const id = await user('almaz', 'almaz@example.com', {
      contacts: [contact('sms', '+251911000200', 'mobile'), contact('push', 'almaz', 'push')],
      notificationRules: [
        { contact: 'push', after: '0m' },
        { contact: 'mobile', after: '5m' },
      ],
    });
    expect((await notificationPlan(t.db, id, ['sms', 'voice'])).map((p) => [p.kind, p.delaySeconds])).toEqual(
      [['sms', 300]],
    );
    expect(await notificationPlan(t.db, id, ['email'])).toEqual([]);
    expect(await notificationPlan(t.db, id, [])).toEqual([]);
  });

  it('skips unverified and disabled methods without falling back to email', async () => {
    const id = await user('tigist', 'tigist@example.com', {
      contacts: [
        contact('sms', '+251911000300', 'mobile', false),
        contact('push', 'tigist', 'push'),
        contact('slack', 'U0TIGIST1', 'slack'),
      ],
      notificationRules: [
        { contact: 'mobile', after: '0m' },
        { contact: 'push', after: '1m' },
        { contact: 'slack', after: '2m' },
      ],
    });
    const push = (await contacts.listMethods(t.db, id)).find((m) => m.kind === 'push');
    await updateContactMethod({
      ctx: t.ctx(),
      input: { user: 'tigist', id: push?.id ?? '', patch: { disabled: true } },
    });
    expect((await notificationPlan(t.db, id)).map((p) => p.kind)).toEqual(['slack']);
    await updateContactMethod({
      ctx: t.ctx(),
      input: { user: 'tigist', id: push?.id ?? '', patch: { disabled: false } },
    });
    expect((await notificationPlan(t.db, id)).map((p) => p.kind)).toEqual(['push', 'slack']);
    // Rules exist but none usable for these kinds: no default email.
    expect(await notificationPlan(t.db, id, ['sms'])).toEqual([]);
  });

  it('gives a user without rules one immediate email to their address, if they have one', async () => {
    const withEmail = await user('yonas', 'yonas@example.com', {
      contacts: [contact('sms', '+251911000400', 'mobile')],
    });
    expect(await notificationPlan(t.db, withEmail)).toEqual([
      { contactMethodId: null, kind: 'email', address: 'yonas@example.com', delaySeconds: 0 },
    ]);
    expect(await notificationPlan(t.db, withEmail, ['email', 'sms'])).toHaveLength(1);
    expect(await notificationPlan(t.db, withEmail, ['sms'])).toEqual([]);
    const without = await user('meron', null);
    expect(await notificationPlan(t.db, without)).toEqual([]);
    expect(await notificationPlan(t.db, '999999999')).toEqual([]);
  });
});

describe('findUserByContact', () => {
  it('finds the owner of a verified address only, and nobody for a shared one', async () => {
    const id = await user('abebe', null, {
      contacts: [contact('sms', '+251911000500', 'mobile'), contact('slack', 'U0ABEBE01', 'slack', false)],
    });
    expect(await findUserByContact(t.db, 'sms', '+251911000500')).toBe(id);
    expect(await findUserByContact(t.db, 'voice', '+251911000500')).toBeUndefined();
    expect(await findUserByContact(t.db, 'slack', 'U0ABEBE01')).toBeUndefined();
    await user('abebe-2', null, { contacts: [contact('sms', '+251911000500', 'shared')] });
    expect(await findUserByContact(t.db, 'sms', '+251911000500')).toBeUndefined();
  });

  it('matches emails whatever their case', async () => {
    const id = await user('helen', null, { contacts: [contact('email', 'Helen@Example.com', 'mail')] });
    expect(await findUserByContact(t.db, 'email', 'HELEN@example.COM')).toBe(id);
  });
});

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00' };
  it('holds until the end of a window that crosses midnight, in the user’s zone', () => {
    // 23:30 in Addis Ababa (UTC+3) is 20:30Z; the window ends 07:00 local = 04:00Z next day.
    expect(quietUntil(night, 'Africa/Addis_Ababa', new Date('2026-03-02T20:30:00Z'))?.toISOString()).toBe(
      '2026-03-03T04:00:00.000Z',
    );
    expect(quietUntil(night, 'Africa/Addis_Ababa', new Date('2026-03-03T02:00:00Z'))?.toISOString()).toBe(
      '2026-03-03T04:00:00.000Z',
    );
    expect(quietUntil(night, 'Africa/Addis_Ababa', new Date('2026-03-03T04:00:00Z'))).toBeNull();
    expect(quietUntil(night, 'Africa/Addis_Ababa', new Date('2026-03-02T12:00:00Z'))).toBeNull();
  });

  it('follows daylight-saving time and same-day windows', () => {
    const lunch = { start: '12:00', end: '13:00' };
    // New York: EST (UTC-5) in early March, EDT (UTC-4) after the 8 March 2026 switch.
    expect(quietUntil(lunch, 'America/New_York', new Date('2026-03-02T17:30:00Z'))?.toISOString()).toBe(
      '2026-03-02T18:00:00.000Z',
    );
    expect(quietUntil(lunch, 'America/New_York', new Date('2026-03-09T16:30:00Z'))?.toISOString()).toBe(
      '2026-03-09T17:00:00.000Z',
    );
    expect(quietUntil(lunch, 'America/New_York', new Date('2026-03-09T17:30:00Z'))).toBeNull();
  });

  it('reads the stored window and the user’s time zone', async () => {
    const id = await user('ruth', null, { quietHours: night }, 'Europe/Berlin');
    // 23:00 in Berlin (UTC+1 in March) is 22:00Z.
    expect((await heldUntil(t.db, id, new Date('2026-03-02T22:00:00Z')))?.toISOString()).toBe(
      '2026-03-03T06:00:00.000Z',
    );
    const none = await user('ruth-2', null);
    expect(await heldUntil(t.db, none, new Date('2026-03-02T22:00:00Z'))).toBeNull();
  });
});

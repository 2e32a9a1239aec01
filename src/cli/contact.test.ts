import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { saveUser } from '../domain/users/save-user.ts';
import { parseRules } from './contact.ts';

// `tocsin contact …`: the real binary against a real server on loopback (as the admin, on dawit's).
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  await saveUser({
    ctx: t.ctx(),
    input: {
      user: {
        handle: 'dawit',
        name: 'Dawit',
        email: 'dawit@example.com',
        role: 'responder',
        leadership: false,
        time_zone: 'UTC',
      },
      mode: 'create',
    },
  });
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

async function sentCode(id: string): Promise<string> {
  const row = await t.db
    .selectFrom('outbox')
    .select('payload')
    .where('dedup_key', 'like', `contact-verify:${id}:%`)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return (row.payload as { code: string }).code;
}

describe('tocsin contact', () => {
  it('adds, verifies, lists, sets rules and removes', async () => {
    const added = await tocsin(
      'contact',
      'add',
      'sms',
      '+251911234567',
      '--label',
      'mobile',
      '--user',
      'dawit',
      '--json',
    );
    expect(added.code, added.stderr).toBe(0);
    const sms = JSON.parse(added.stdout);
    expect(sms).toMatchObject({ kind: 'sms', address: '+251911234567', label: 'mobile', verified: false });

    const tooSoon = await tocsin('contact', 'send-code', sms.id, '--user', 'dawit');
    expect(tooSoon.code).toBe(1);
    expect(tooSoon.stderr).toMatch(/^tocsin: 429 a code was sent less than a minute ago/);

    const wrong = await tocsin('contact', 'verify', sms.id, '000000', '--user', 'dawit');
    const code = await sentCode(sms.id);
    if (code !== '000000') {
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('code: wrong code; 4 tries left');
    }
    const verified = await tocsin('contact', 'verify', sms.id, code, '--user', 'dawit');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('sms +251911234567 (mobile)  verified');

    const email = await tocsin('contact', 'add', 'email', 'dawit@example.com', '--user', 'dawit');
    expect(email.code, email.stderr).toBe(0);
    // The test server has no email provider: it says so rather than "a code was sent" (issue 9).
    expect(email.stdout).toMatch(/email is off on this server \(no provider configured\): no code was sent/);
    expect(email.stdout).not.toContain('a code was sent');

    const listed = await tocsin('contact', 'list', '--user', 'dawit');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/sms\s+\+251911234567\s+mobile\s+yes/);
    expect(listed.stdout).toMatch(/email\s+dawit@example.com\s+no/);

    const rules = await tocsin('contact', 'rules', '--user', 'dawit', '--set', 'mobile:0m,email:5m');
    expect(rules.code, rules.stderr).toBe(0);
    expect(rules.stdout).toMatch(/0m\s+mobile\s+sms\s+\+251911234567\s+verified/);
    expect(rules.stdout).toMatch(/5m\s+email\s+email\s+dawit@example.com\s+unverified/);

    const shown = await tocsin('contact', 'rules', '--user', 'dawit', '--json');
    expect(
      JSON.parse(shown.stdout).rules.map(
        (r: { contact: string; after: string }) => `${r.contact}:${r.after}`,
      ),
    ).toEqual(['mobile:0m', 'email:5m']);

    const removed = await tocsin('contact', 'rm', sms.id, '--user', 'dawit');
    expect(removed.code, removed.stderr).toBe(0);
    const after = await tocsin('contact', 'rules', '--user', 'dawit', '--json');
    expect(JSON.parse(after.stdout).rules).toHaveLength(1);
  });

  it('reports bad input with the field path', async () => {
    const bad = await tocsin('contact', 'add', 'sms', '0911234567', '--user', 'dawit');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('body.address: not an E.164 phone number like +251911234567');
    const unknown = await tocsin('contact', 'rules', '--user', 'dawit', '--set', 'pager:0m');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('rules.0.contact: no contact "pager"');
    const malformed = await tocsin('contact', 'rules', '--user', 'dawit', '--set', 'mobile');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('use contact:delay');
  });

  it('works on the caller’s own contacts without --user', async () => {
    const list = await tocsin('contact', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('parses --set', () => {
    expect(parseRules('mobile:0m, email:5m,#12:1h')).toEqual([
      { contact: 'mobile', after: '0m' },
      { contact: 'email', after: '5m' },
      { contact_method_id: '12', after: '1h' },
    ]);
    expect(parseRules('')).toEqual([]);
    expect(() => parseRules('mobile')).toThrow(/contact:delay/);
  });
});

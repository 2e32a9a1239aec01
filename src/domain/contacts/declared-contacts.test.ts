import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { Invalid } from '../../errors.ts';
import { type ApplyResult, applyDocuments } from '../config/apply-documents.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import * as users from '../users/queries.ts';
import { notificationPlan } from './notification-plan.ts';
import * as contacts from './queries.ts';

// Contacts and notification rules declared in User documents, applied with `tocsin apply`.
let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

function apply(content: string, dryRun = false, file = 'people.yaml'): Promise<ApplyResult> {
  return applyDocuments({ ctx: t.ctx(SYSTEM_ACTOR), input: { sources: [{ file, content }], dryRun } });
}

async function applyErrors(content: string): Promise<string[]> {
  const error = await apply(content).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  return (error as Invalid).details.map((d) => `${d.path}: ${d.message}`);
}

const doc = (handle: string, spec: string) => `apiVersion: tocsin.dev/v1
kind: User
metadata:
  name: ${handle}
spec:
  name: ${handle} example
  email: ${handle}@example.com
${spec}`;

const dawit = (phone = '+251911234567', after = '5m') =>
  doc(
    'dawit',
    `  contacts:
    - { kind: sms, address: "${phone}", label: mobile, verified: true }
    - { kind: email, address: dawit@example.com }
  notificationRules:
    - { contact: mobile, after: 0m }
    - { contact: email, after: ${after} }
`,
  );

async function count(table: 'audit_log' | 'outbox' | 'contact_methods') {
  const r = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function userId(handle: string): Promise<string> {
  return (await users.findByHandle(t.db, handle))?.id ?? '';
}

describe('User documents with contacts and notification rules', () => {
  it('creates them: declared-verified methods page at once, the others get a code', async () => {
    const result = await apply(dawit());
    expect(result.results).toEqual([
      expect.objectContaining({ kind: 'User', name: 'dawit', change: 'created' }),
    ]);
    const id = await userId('dawit');
    const methods = await contacts.listMethods(t.db, id);
    expect(methods.map((m) => [m.kind, m.address, m.label, m.verified_at !== null])).toEqual([
      ['email', 'dawit@example.com', null, false],
      ['sms', '+251911234567', 'mobile', true],
    ]);
    const codes = await t.db
      .selectFrom('outbox')
      .select(['channel', 'destination'])
      .where('dedup_key', 'like', 'contact-verify:%')
      .execute();
    expect(codes).toEqual([{ channel: 'email', destination: 'dawit@example.com' }]);
    // The email rule waits for verification; the SMS one pages now.
    expect(await notificationPlan(t.db, id)).toEqual([
      { contactMethodId: expect.any(String), kind: 'sms', address: '+251911234567', delaySeconds: 0 },
    ]);
  });

  it('is idempotent: the same document again writes nothing', async () => {
    const before = { audit: await count('audit_log'), outbox: await count('outbox') };
    const again = await apply(dawit());
    expect(again.results[0]?.change).toBe('unchanged');
    expect(await count('audit_log')).toBe(before.audit);
    expect(await count('outbox')).toBe(before.outbox);
  });

  it('shows a field diff in a dry run and changes nothing', async () => {
    const before = await count('contact_methods');
    const dry = await apply(dawit('+251911999999', '10m'), true);
    expect(dry.applied).toBe(false);
    expect(dry.results[0]?.change).toBe('updated');
    expect(dry.results[0]?.diff).toEqual(
      expect.arrayContaining([
        { path: 'contacts.sms +251911234567', before: { label: 'mobile', verified: true, disabled: false } },
        { path: 'contacts.sms +251911999999', after: { label: 'mobile', verified: true, disabled: false } },
        {
          path: 'notificationRules.0',
          before: 'sms +251911234567 after 0m',
          after: 'sms +251911999999 after 0m',
        },
        {
          path: 'notificationRules.1',
          before: 'email dawit@example.com after 5m',
          after: 'email dawit@example.com after 10m',
        },
      ]),
    );
    expect(await count('contact_methods')).toBe(before);
  });

  it('applies a change: a method not listed any more is removed, rules follow', async () => {
    const result = await apply(dawit('+251911999999', '10m'));
    expect(result.results[0]?.change).toBe('updated');
    const id = await userId('dawit');
    expect((await contacts.listMethods(t.db, id)).map((m) => m.address)).toEqual([
      'dawit@example.com',
      '+251911999999',
    ]);
    expect((await apply(dawit('+251911999999', '10m'))).results[0]?.change).toBe('unchanged');
  });

  it('leaves contacts alone when the document does not declare them', async () => {
    const result = await apply(doc('dawit', '  role: responder\n'));
    expect(result.results[0]?.change).toBe('unchanged');
    expect(await contacts.listMethods(t.db, await userId('dawit'))).toHaveLength(2);
  });

  it('never un-verifies a method its owner verified', async () => {
    const id = await userId('dawit');
    const email = (await contacts.listMethods(t.db, id)).find((m) => m.kind === 'email');
    await contacts.updateMethod(t.db, email?.id ?? '', { verified_at: t.clock.now() });
    expect((await apply(dawit('+251911999999', '10m'))).results[0]?.change).toBe('unchanged');
    expect((await notificationPlan(t.db, id)).map((p) => p.kind)).toEqual(['sms', 'email']);
  });

  it('points at the rule naming an unknown contact, with file:line:col', async () => {
    const errors = await applyErrors(
      doc(
        'hanna',
        `  contacts:
    - { kind: push, address: hanna-phone, label: push }
  notificationRules:
    - { contact: push, after: 0m }
    - { contact: mobile, after: 5m }
`,
      ),
    );
    expect(errors).toEqual([expect.stringMatching(/^people\.yaml:12:18: no contact "mobile"/)]);
    expect(await users.findByHandle(t.db, 'hanna')).toBeUndefined();
  });

  it('checks rules of a document without contacts against the stored methods', async () => {
    const errors = await applyErrors(
      doc(
        'dawit',
        '  notificationRules:\n    - { contact: mobile, after: 0m }\n    - { contact: pager, after: 1m }\n',
      ),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^people\.yaml:10:18: User "dawit": notificationRules\.1\.contact: no contact "pager"/,
      ),
    ]);
  });

  it('points at bad addresses, unquoted phone numbers and bad delays', async () => {
    const errors = await applyErrors(
      doc(
        'selam',
        `  contacts:
    - { kind: sms, address: +251911234567 }
    - { kind: slack, address: C0123456 }
    - { kind: push }
  notificationRules:
    - { contact: sms, after: 2 }
`,
      ),
    );
    expect(errors).toEqual([
      'people.yaml:9:29: spec.contacts.0.address: a string (quote phone numbers: "+251911234567")',
      'people.yaml:10:31: spec.contacts.1.address: not a Slack member id like U024BE7LH',
      'people.yaml:11:7: spec.contacts.2.address: required',
      'people.yaml:13:30: spec.notificationRules.0.after: not a duration (use 0m, 90s, 5m, 1h)',
    ]);
  });

  it('points at duplicate contacts and labels, and kinds that name two contacts', async () => {
    const errors = await applyErrors(
      doc(
        'selam',
        `  contacts:
    - { kind: email, address: a@example.com }
    - { kind: email, address: A@example.com }
    - { kind: email, address: b@example.com, label: work }
    - { kind: push, address: selam, label: work }
  notificationRules:
    - { contact: email, after: 0m }
`,
      ),
    );
    expect(errors).toEqual([
      'people.yaml:10:31: email a@example.com is listed twice',
      'people.yaml:12:44: label "work" is used twice',
      'people.yaml:14:18: "email" names 3 email contacts: name one by its label',
    ]);
  });

  it('applies the example set-up, twice without changes', async () => {
    const root = join(import.meta.dirname, '../../..');
    const content = readFileSync(join(root, 'examples/setup/team.yaml'), 'utf8');
    const first = await apply(content, false, 'examples/setup/team.yaml');
    expect(first.results.length).toBeGreaterThan(0);
    const second = await apply(content, false, 'examples/setup/team.yaml');
    expect(second.results.every((r) => r.change === 'unchanged')).toBe(true);
    const selam = await userId('selam');
    expect((await notificationPlan(t.db, selam)).length).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';

// `kind: MaintenanceWindow` end to end: applied like every other document (created, updated in
// place, ended when its file no longer holds it), refused at file:line:col, and acted on by the
// real engine on the virtual clock: alerts suppressed only while it is open, weekly occurrences,
// and `downgrade` windows whose incidents open but are paged best effort.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let t: TestApp;
let engine: Engine;
const integrations = new Map<string, Integration>();

const window = (name: string, spec: string) => `
apiVersion: tocsin.dev/v1
kind: MaintenanceWindow
metadata: { name: ${name} }
spec:
${spec}
`;

const apply = (content: string, file = 'windows.yaml') =>
  applyDocuments({ ctx: t.ctx(), input: { sources: [{ file, content }] } });

/** The error of applying bad documents: file:line:col paths and messages. */
async function refusal(content: string): Promise<{ path: string; message: string }[]> {
  try {
    await apply(content, 'bad.yaml');
  } catch (error) {
    return (error as { details: { path: string; message: string }[] }).details;
  }
  throw new Error('applied');
}

const at = (offsetMs: number) => new Date(t.clock.now().getTime() + offsetMs).toISOString();

async function fire(service: string, dedupKey: string) {
  await ingestAlertEvents({
    ctx: t.ctx(),
    input: {
      integration: integrations.get(service) as Integration,
      events: [
        { action: 'trigger', dedupKey, summary: `${dedupKey} failing`, severity: 'critical', raw: {} },
      ] as InboundAlertEvent[],
    },
  });
  await engine.runUntilIdle();
  const alert = await t.db
    .selectFrom('alerts')
    .select(['routing', 'incident_id'])
    .where('dedup_key', '=', dedupKey)
    .executeTakeFirstOrThrow();
  return alert;
}

const liveRows = (name: string) =>
  t.db
    .selectFrom('suppressions')
    .leftJoin('services', 'services.id', 'suppressions.service_id')
    .select(['suppressions.id', 'services.name as service', 'starts_at', 'ends_at', 'mode', 'comment'])
    .where('suppressions.name', '=', name)
    .where('ended_at', 'is', null)
    .orderBy('services.name')
    .execute();

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules());
  const ctx = t.ctx();
  await addUser(ctx, 'ana');
  await savePlan({
    ctx,
    input: {
      source: `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ops }
severities:
  - { id: P1, title: P1, page: { to: on-call, channels: [phone] }, targets: { acknowledge: 15m } }
groups:
  - { id: on-call, title: On call, users: [ana] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`,
    },
  });
  for (const name of ['checkout', 'payments', 'search', 'batch']) {
    await saveService({ ctx, input: { service: { name, plan: 'ops', rules: {} }, mode: 'create' } });
    integrations.set(name, await createIntegration({ ctx, input: { service: name, type: 'pagerduty' } }));
  }
});
afterAll(() => t.close());

describe('applying MaintenanceWindow documents', () => {
  it('creates one row per service, changes nothing the second time, updates in place, ends what the file drops', async () => {
    const start = at(2 * HOUR);
    const doc = window(
      'db-upgrade',
      `  services: [checkout, payments]
  start: "${start}"
  duration: 2h
  reason: PostgreSQL 16 upgrade`,
    );
    const first = await apply(doc);
    expect(first.results).toEqual([
      expect.objectContaining({ kind: 'MaintenanceWindow', name: 'db-upgrade', change: 'created' }),
    ]);
    const created = await liveRows('db-upgrade');
    expect(created.map((r) => [r.service, r.mode, r.comment])).toEqual([
      ['checkout', 'suppress', 'PostgreSQL 16 upgrade'],
      ['payments', 'suppress', 'PostgreSQL 16 upgrade'],
    ]);
    expect(created[0]?.ends_at.getTime()).toBe(Date.parse(start) + 2 * HOUR);

    expect((await apply(doc)).results[0]?.change).toBe('unchanged');

    const changed = doc.replace('[checkout, payments]', '[checkout, search]').replace('2h', '3h');
    const second = await apply(changed);
    expect(second.results[0]).toMatchObject({ change: 'updated' });
    expect(second.results[0]?.diff.map((f) => f.path)).toEqual(
      expect.arrayContaining(['ends_at', 'services.1']),
    );
    const updated = await liveRows('db-upgrade');
    expect(updated.map((r) => r.service)).toEqual(['checkout', 'search']);
    // Updated in place: alerts it already suppressed keep pointing at the same row.
    expect(updated[0]?.id).toBe(created[0]?.id);
    expect(updated[0]?.ends_at.getTime()).toBe(Date.parse(start) + 3 * HOUR);

    // Another file's apply leaves it alone; its own file without it ends it.
    expect(
      (
        await apply(window('other', `  services: [batch]\n  start: "${start}"\n  duration: 1h`), 'other.yaml')
      ).results.map((r) => r.change),
    ).toEqual(['created']);
    expect(await liveRows('db-upgrade')).toHaveLength(2);
    const removed = await apply(window('kept', `  services: [batch]\n  start: "${start}"\n  duration: 1h`));
    expect(removed.results.map((r) => [r.name, r.change])).toEqual([
      ['kept', 'created'],
      ['db-upgrade', 'deleted'],
    ]);
    expect(await liveRows('db-upgrade')).toEqual([]);
    expect(await liveRows('other')).toHaveLength(1);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'maintenance_window')
      .where('entity_id', '=', 'db-upgrade')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'maintenance_window.created',
      'maintenance_window.updated',
      'maintenance_window.deleted',
    ]);
  });

  it('refuses planted errors at file:line:col and applies nothing', async () => {
    const before = (await t.db.selectFrom('suppressions').select('id').execute()).length;
    const start = '2027-01-04T02:00:00Z';
    const cases: [string, string, RegExp][] = [
      [
        `  services: [checkout]\n  start: "${start}"\n  end: "2027-01-04T01:00:00Z"`,
        'bad.yaml:8:8',
        /must end after it starts/,
      ],
      [`  services: [nowhere]\n  start: "${start}"\n  duration: 1h`, 'bad.yaml:6:14', /no service "nowhere"/],
      [
        `  services: [checkout, checkout]\n  start: "${start}"\n  duration: 1h`,
        'bad.yaml:6:24',
        /listed twice/,
      ],
      [`  services: [checkout]\n  start: "${start}"`, 'bad.yaml:6:3', /either end or duration/],
      [
        `  services: [checkout]\n  start: "${start}"\n  duration: 1h\n  until: "2027-02-01T00:00:00Z"`,
        'bad.yaml:9:10',
        /only for a weekly/,
      ],
      [
        `  services: [checkout]\n  start: "${start}"\n  duration: 8d\n  recurrence: weekly`,
        'bad.yaml:8:13',
        /at most a week/,
      ],
      [
        `  services: [checkout]\n  start: "${start}"\n  duration: 1h\n  recurrence: weekly\n  timeZone: Mars/Olympus`,
        'bad.yaml:10:13',
        /IANA/,
      ],
      [
        `  services: [checkout]\n  start: "${start}"\n  duration: 1h\n  mode: mute`,
        'bad.yaml:9:9',
        /suppress|downgrade/,
      ],
    ];
    for (const [spec, where, message] of cases) {
      const details = await refusal(window('broken', spec));
      expect(details, spec).toContainEqual({ path: where, message: expect.stringMatching(message) });
    }
    // The same name twice (in one apply) is refused at both places.
    const twice = `${window('dup', `  services: [checkout]\n  start: "${start}"\n  duration: 1h`)}---${window('dup', `  services: [batch]\n  start: "${start}"\n  duration: 1h`)}`;
    expect((await refusal(twice)).map((d) => d.message)).toContainEqual(
      expect.stringMatching(/duplicate MaintenanceWindow "dup"/),
    );
    expect((await t.db.selectFrom('suppressions').select('id').execute()).length).toBe(before);
  });

  it('is applied and refused through POST /api/v1/apply too', async () => {
    const content = window('api-window', `  services: [batch]\n  start: "${at(10 * HOUR)}"\n  duration: 30m`);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: auth(t.adminToken),
      payload: { documents: [{ file: 'api.yaml', content }] },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().results).toEqual([expect.objectContaining({ name: 'api-window', change: 'created' })]);
    const viewer = await t.tokenFor('viewer');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: auth(viewer),
      payload: { documents: [{ file: 'api.yaml', content }] },
    });
    expect(refused.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: auth(t.adminToken),
      payload: { documents: [{ file: 'api.yaml', content: content.replace('30m', 'soon') }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('api.yaml:8:13');
  });
});

describe('the engine acts on windows on the virtual clock', () => {
  it('suppresses alerts only while the window is open, and again each week', async () => {
    await apply(
      window(
        'weekly-reindex',
        `  services: [search]\n  start: "${at(HOUR)}"\n  duration: 2h\n  recurrence: weekly\n  reason: weekly reindex`,
      ),
      'search.yaml',
    );
    const [row] = await liveRows('weekly-reindex');
    expect((await fire('search', 'before')).routing).toMatch(/^declared:/);
    t.clock.advance(HOUR + MINUTE); // opened
    expect((await fire('search', 'during')).routing).toBe(`suppressed:${row?.id}`);
    t.clock.advance(2 * HOUR); // closed
    expect((await fire('search', 'after')).routing).toMatch(/^(declared|attached):/);
    t.clock.advance(7 * 24 * HOUR - 2 * HOUR); // the next week's occurrence is open
    expect((await fire('search', 'next-week')).routing).toBe(`suppressed:${row?.id}`);
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/maintenance-windows?state=active',
      headers: auth(t.adminToken),
    });
    expect(listed.json().maintenance_windows).toContainEqual(
      expect.objectContaining({ name: 'weekly-reindex', recurrence: 'weekly', state: 'active' }),
    );
  });

  it('a downgrade window opens incidents but pages best effort: nothing that rings, no escalation', async () => {
    await apply(
      window(
        'payments-migration',
        `  services: [payments]\n  start: "${at(0)}"\n  duration: 1h\n  mode: downgrade`,
      ),
      'payments.yaml',
    );
    const alert = await fire('payments', 'migrating');
    expect(alert.routing).toMatch(/^declared:/);
    const escalation = await t.db
      .selectFrom('escalations')
      .select(['channels', 'steps', 'repeat'])
      .where('incident_id', '=', String(alert.incident_id))
      .executeTakeFirstOrThrow();
    expect(escalation.channels).not.toContain('voice');
    expect(escalation.channels).not.toContain('sms');
    expect(escalation.repeat).toBe(0);
    const timeline = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', String(alert.incident_id))
      .execute();
    expect(JSON.stringify(timeline)).toContain('maintenance window payments-migration: best effort');

    t.clock.advance(HOUR + MINUTE); // closed: paged as the plan says
    const later = await fire('checkout', 'after-migration');
    const normal = await t.db
      .selectFrom('escalations')
      .select('channels')
      .where('incident_id', '=', String(later.incident_id))
      .executeTakeFirstOrThrow();
    expect(normal.channels).toContain('voice');
  });
});

describe('the example', () => {
  it('examples/maintenance/windows.yaml validates', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseConfigSources } = await import('../config/documents.ts');
    const file = 'examples/maintenance/windows.yaml';
    const { documents, errors } = parseConfigSources([{ file, content: readFileSync(file, 'utf8') }]);
    expect(errors).toEqual([]);
    expect(documents.map((d) => [d.kind, d.name])).toEqual([
      ['MaintenanceWindow', 'creator-db-upgrade'],
      ['MaintenanceWindow', 'weekly-reindex'],
    ]);
  });
});

describe('weekly occurrences', () => {
  it('keep their wall time across a daylight-saving change, and stop at until', async () => {
    const { isOpen, occurrenceAt, nextOccurrence } = await import('./maintenance.ts');
    const weekly = {
      starts_at: new Date('2027-03-21T09:00:00Z'), // 10:00 in Berlin (CET)
      ends_at: new Date('2027-04-05T00:00:00Z'),
      ended_at: null,
      recurrence: 'weekly' as const,
      occurrence_seconds: 3600,
      time_zone: 'Europe/Berlin',
    };
    // A week later Berlin is on CEST: 10:00 there is 08:00Z.
    expect(occurrenceAt(weekly, new Date('2027-03-28T08:30:00Z'))).toEqual({
      start: new Date('2027-03-28T08:00:00Z'),
      end: new Date('2027-03-28T09:00:00Z'),
    });
    expect(isOpen(weekly, new Date('2027-03-28T07:59:59Z'))).toBe(false);
    expect(isOpen(weekly, new Date('2027-03-28T08:00:00Z'))).toBe(true);
    expect(isOpen(weekly, new Date('2027-03-28T09:00:00Z'))).toBe(false);
    expect(isOpen(weekly, new Date('2027-03-21T09:30:00Z'))).toBe(true);
    expect(nextOccurrence(weekly, new Date('2027-03-22T00:00:00Z'))?.start).toEqual(
      new Date('2027-03-28T08:00:00Z'),
    );
    // The 2027-04-04 occurrence is the last before until; none after it.
    expect(isOpen(weekly, new Date('2027-04-04T08:30:00Z'))).toBe(true);
    expect(nextOccurrence(weekly, new Date('2027-04-04T08:30:00Z'))).toBeUndefined();
    expect(isOpen(weekly, new Date('2027-04-11T08:30:00Z'))).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePlan } from '../plans/save-plan.ts';
import { PAYMENTS_PLAN } from './testing.ts';

// A declaration on its own is one statement after the id's reservation: the audit entry's `after` is
// the row as the declaration built it, every column given, so it must be the row as stored.

let t: TestApp;

beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PAYMENTS_PLAN } });
});
afterAll(() => t.close());

describe('declareIncident', () => {
  it('audits the declared incident as stored, every column, with its events and parts', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: auth(t.adminToken),
      payload: {
        title: 'Payment outage',
        plan: 'payments',
        severity: 'P1',
        service: 'payments-api',
        customer_facing: true,
        summary: 'cards declined',
        labels: { region: 'eu' },
        fields: { tickets: 3, vip: true },
        detected_at: '2026-03-02T09:00:00Z',
        urgency: 'low',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().incident.id as string;
    const stored = await t.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const entry = await t.db
      .selectFrom('audit_log')
      .select('after')
      .where('action', '=', 'incident.declared')
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(entry.after).toEqual(JSON.parse(JSON.stringify(stored)));
    expect(res.json().incident).toEqual(JSON.parse(JSON.stringify(stored)));
    // The answer is the row as built, not read back: its fields in the table's order, as a read's.
    expect(Object.keys(res.json().incident)).toEqual(Object.keys(stored));
    const kinds = await t.db
      .selectFrom('incident_events')
      .select('kind')
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute();
    // The plan's P1 responders are added, in order, after the declaration.
    expect(kinds.map((k) => k.kind)).toEqual([
      'incident.declared',
      ...Array(4).fill('incident.responder_added'),
    ]);
    const items = await t.db
      .selectFrom('checklist_items')
      .select('text')
      .where('incident_id', '=', id)
      .execute();
    expect(items.map((i) => i.text)).toEqual(['Open the war room', 'Page the service owner']);
  });
});

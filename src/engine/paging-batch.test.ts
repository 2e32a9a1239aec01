import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/helpers.ts';
import type { InboundAlertEvent } from '../domain/alerts/alerts.ts';
import { ingestAlertEvents } from '../domain/alerts/ingest-alert-events.ts';
import { applyDocuments } from '../domain/config/apply-documents.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';
import { Engine } from './engine.ts';
import { engineModules } from './modules.ts';

// Several alerts routed in one tick, each declaring an incident whose severity pages the same two
// people: the tick pages them as a batch (db/tx-memo.ts, paging/flush-steps.ts). Each incident pages
// each person once, with a reply code of its own, and a firing that fails rolls back alone.

const SETUP = `
${['ana', 'bo']
  .map(
    (h) => `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: ${h} }
spec:
  name: ${h}
  email: ${h}@example.com
  role: responder
  contacts:
    - { kind: push, address: ${h}-phone, label: phone, verified: true }
  notificationRules:
    - { contact: phone, after: 0m }
---`,
  )
  .join('\n')}
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: batched }
severities:
  - { id: P1, title: Outage, page: { to: pagers, channels: [push] } }
  - { id: P2, title: Degraded, page: { to: pagers, channels: [push] } }
groups:
  - { id: pagers, title: Pagers, users: [ana, bo] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: broken for P2
    when: incident.declared
    if: { severity: P2 }
    then:
      - addTask: { title: explode, due: 1h }
`;

let t: TestApp;
let engine: Engine;
/** The engine's warnings: a batch that fell back to one firing at a time says so. */
const warnings: string[] = [];
const fellBack = () => warnings.filter((w) => w.includes('running each alone')).length;

beforeAll(async () => {
  t = await testApp();
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  engine = new Engine({ db: t.db, clock: t.clock, log }, engineModules());
  await applyDocuments({
    ctx: t.ctx(),
    input: { sources: [{ file: 'batched.yaml', content: SETUP }], dryRun: false },
  });
  // A workflow action the store refuses when it runs: the P2 incidents' task.
  await sql`create function refuse_explode() returns trigger language plpgsql as $$
    begin
      if new.title = 'explode' then raise exception 'refused: %', new.title; end if;
      return new;
    end $$`.execute(t.db);
  await sql`create trigger refuse_explode before insert on action_items
    for each row execute function refuse_explode()`.execute(t.db);
});
afterAll(() => t.close());

async function fire(service: string, severities: InboundAlertEvent['severity'][]): Promise<string[]> {
  const ctx = t.ctx();
  await saveService({
    ctx,
    input: {
      service: { name: service, plan: 'batched', rules: { severity: { critical: 'P1', error: 'P2' } } },
      mode: 'create',
    },
  });
  const integration = await createIntegration({ ctx, input: { service, type: 'pagerduty' } });
  await ingestAlertEvents({
    ctx,
    input: {
      integration,
      events: severities.map(
        (severity, i): InboundAlertEvent => ({
          action: 'trigger',
          dedupKey: `${service}-${i}`,
          summary: `disk ${i} full`,
          severity,
          raw: {},
        }),
      ),
    },
  });
  await engine.runUntilIdle();
  const rows = await t.db.selectFrom('incidents').select('id').where('service', '=', service).execute();
  return rows.map((r) => String(r.id));
}

async function pagesOf(incidentIds: string[]) {
  return t.db
    .selectFrom('outbox')
    .innerJoin('users', 'users.id', 'outbox.user_id')
    .select(['outbox.incident_id', 'users.handle', 'outbox.escalation_id'])
    .where('outbox.incident_id', 'in', incidentIds)
    .where('outbox.escalation_id', 'is not', null)
    .execute();
}

describe('paging the incidents of one tick as a batch', () => {
  it('pages each person once per incident, with a reply code of its own, and moves each escalation on', async () => {
    const ids = await fire('batch-ok', Array<InboundAlertEvent['severity']>(6).fill('critical'));
    expect(ids).toHaveLength(6);
    // Paged as one batch: it did not fall back to one firing at a time.
    expect(fellBack()).toBe(0);
    const pages = await pagesOf(ids);
    expect(pages).toHaveLength(12);
    for (const id of ids) {
      expect(
        pages
          .filter((p) => String(p.incident_id) === id)
          .map((p) => p.handle)
          .sort(),
      ).toEqual(['ana', 'bo']);
    }
    const escalations = await t.db
      .selectFrom('escalations')
      .select(['incident_id', 'step', 'status'])
      .where('incident_id', 'in', ids)
      .execute();
    expect(escalations).toHaveLength(6);
    for (const e of escalations) expect(e).toMatchObject({ step: 1, status: 'active' });
    const sent = await t.db
      .selectFrom('incident_events')
      .select(['incident_id', 'data'])
      .where('incident_id', 'in', ids)
      .where('kind', '=', 'paging.step')
      .execute();
    expect(sent).toHaveLength(6);
    for (const e of sent) expect((e.data as { users: string[] }).users.sort()).toEqual(['ana', 'bo']);
    const codes = await t.db
      .selectFrom('ack_tokens')
      .innerJoin('users', 'users.id', 'ack_tokens.user_id')
      .select(['users.handle', 'ack_tokens.code'])
      .where('ack_tokens.incident_id', 'in', ids)
      .execute();
    for (const handle of ['ana', 'bo']) {
      const own = codes.filter((c) => c.handle === handle).map((c) => c.code);
      expect(own).toHaveLength(6);
      expect(new Set(own).size).toBe(6);
    }
    // Each firing's outcome and audit entry, and its workflow.fired event naming the run.
    const runs = await t.db
      .selectFrom('workflow_runs')
      .select(['id', 'actions'])
      .where('incident_id', 'in', ids)
      .execute();
    expect(runs).toHaveLength(6);
    for (const r of runs) expect(r.actions).toEqual([expect.objectContaining({ started: true })]);
    const audits = await t.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'workflow.fired')
      .where('entity_id', 'in', ids)
      .execute();
    expect(audits.map((a) => String(a.entity_id)).sort()).toEqual([...ids].sort());
    const firedEvents = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', 'in', ids)
      .where('kind', '=', 'workflow.fired')
      .execute();
    expect(firedEvents.map((e) => String((e.data as { workflow_run: string }).workflow_run)).sort()).toEqual(
      runs.map((r) => String(r.id)).sort(),
    );
    // Ticking again pages nobody twice.
    await engine.runUntilIdle();
    expect(await pagesOf(ids)).toHaveLength(12);
  });

  it('a firing that fails rolls back alone: every incident is still paged once', async () => {
    const ids = await fire('batch-failing', ['critical', 'error', 'critical', 'error', 'critical']);
    expect(ids).toHaveLength(5);
    expect(fellBack()).toBe(1);
    const pages = await pagesOf(ids);
    expect(pages).toHaveLength(10);
    const runs = await t.db
      .selectFrom('workflow_runs')
      .select(['incident_id', 'workflow', 'actions'])
      .where('incident_id', 'in', ids)
      .where('workflow', '=', 'broken for P2')
      .execute();
    expect(runs).toHaveLength(2);
    for (const r of runs) expect(r.actions).toEqual([{ error: expect.stringContaining('refused: explode') }]);
    await engine.runUntilIdle();
    expect(await pagesOf(ids)).toHaveLength(10);
  });
});

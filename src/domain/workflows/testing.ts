import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { savePlan } from '../plans/save-plan.ts';

// Test fixtures for the workflow engine: incidents and timeline events written straight into the
// tables, the way incident operations leave them, so workflow tests do not depend on those operations.

export async function applyPlan(db: Db, clock: Clock, source: string): Promise<number> {
  const saved = await savePlan({ ctx: makeCtx({ db, clock }, SYSTEM_ACTOR), input: { source } });
  return saved.version;
}

export interface FixtureIncident {
  plan: string;
  version: number;
  severity: string;
  at: Date;
  state?: string;
  title?: string;
  service?: string;
  impact?: string;
  customerFacing?: boolean;
  labels?: Record<string, string>;
  fields?: Record<string, unknown>;
}

let sequence = 0;

/** An open incident and its incident.declared event. */
export async function declareIncident(db: Db, input: FixtureIncident): Promise<string> {
  sequence += 1;
  const title = input.title ?? `Checkout failing ${sequence}`;
  const row = await db
    .insertInto('incidents')
    .values({
      title,
      slug: `checkout-failing-${sequence}`,
      impact: input.impact ?? '',
      service: input.service ?? null,
      customer_facing: input.customerFacing ?? false,
      labels: JSON.stringify(input.labels ?? {}),
      fields: JSON.stringify(input.fields ?? {}),
      plan_name: input.plan,
      plan_version: input.version,
      severity: input.severity,
      state: input.state ?? 'investigating',
      correlation_id: `corr-${sequence}`,
      channel_name: `incident-${sequence}`,
      declared_at: input.at,
      state_entered_at: input.at,
      created_by: 'tester',
      updated_at: input.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = String(row.id);
  await appendEvent(db, id, EVENT_KINDS.declared, input.at, { severity: input.severity });
  return id;
}

export async function appendEvent(
  db: Db,
  incidentId: string,
  kind: string,
  at: Date,
  data: Record<string, unknown> = {},
): Promise<string> {
  const row = await db
    .insertInto('incident_events')
    .values({ incident_id: incidentId, at, kind, actor_name: 'tester', data: JSON.stringify(data) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

export async function acknowledge(db: Db, incidentId: string, at: Date): Promise<void> {
  await db.updateTable('incidents').set({ acknowledged_at: at }).where('id', '=', incidentId).execute();
  await appendEvent(db, incidentId, EVENT_KINDS.acknowledged, at);
}

export async function publishUpdate(
  db: Db,
  incidentId: string,
  audience: 'internal' | 'external',
  at: Date,
): Promise<void> {
  const row = await db
    .insertInto('incident_updates')
    .values({
      incident_id: incidentId,
      audience,
      state: 'investigating',
      bodies: JSON.stringify({ en: 'We are looking into it.' }),
      status: 'published',
      created_by: 'tester',
      created_at: at,
      published_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendEvent(db, incidentId, EVENT_KINDS.updatePublished, at, { audience, update_id: String(row.id) });
}

export async function resolve(db: Db, incidentId: string, at: Date, state = 'resolved'): Promise<void> {
  await db
    .updateTable('incidents')
    .set({ resolved_at: at, state, state_entered_at: at })
    .where('id', '=', incidentId)
    .execute();
  await appendEvent(db, incidentId, EVENT_KINDS.resolved, at);
}

export async function changeSeverity(db: Db, incidentId: string, severity: string, at: Date): Promise<void> {
  const before = await db
    .selectFrom('incidents')
    .select('severity')
    .where('id', '=', incidentId)
    .executeTakeFirstOrThrow();
  await db.updateTable('incidents').set({ severity }).where('id', '=', incidentId).execute();
  await appendEvent(db, incidentId, EVENT_KINDS.severityChanged, at, { from: before.severity, to: severity });
}

export function timeline(db: Db, incidentId: string) {
  return db
    .selectFrom('incident_events')
    .select(['id', 'kind', 'at', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export function runsOf(db: Db, incidentId: string) {
  return db
    .selectFrom('workflow_runs')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export function outboxOf(db: Db, incidentId: string) {
  return db.selectFrom('outbox').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
}

import { type Clock, VirtualClock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { changeSeverity as changeIncidentSeverity } from '../incidents/change-severity.ts';
import { declareIncident as declare } from '../incidents/declare-incident.ts';
import { publishUpdate as publish } from '../incidents/publish-update.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { savePlan } from '../plans/save-plan.ts';

// Test fixtures for the workflow engine: incidents declared, acknowledged, updated and resolved
// through the real incident operations (so their timeline events are the ones those operations
// write), each at the time a test gives.

export async function applyPlan(db: Db, clock: Clock, source: string): Promise<number> {
  const saved = await savePlan({ ctx: makeCtx({ db, clock }, SYSTEM_ACTOR), input: { source } });
  return saved.version;
}

/** The system acting at a given moment. */
const actingAt = (db: Db, at: Date) => makeCtx({ db, clock: new VirtualClock(at) }, SYSTEM_ACTOR);

export interface FixtureIncident {
  plan: string;
  /** The plan version the test expects the incident under: the plan's current one. */
  version?: number;
  severity: string;
  at: Date;
  title?: string;
  service?: string;
  impact?: string;
  customerFacing?: boolean;
  labels?: Record<string, string>;
  fields?: Record<string, string | number | boolean>;
}

let sequence = 0;

/** An open incident, declared with declareIncident (its incident.declared event included). */
export async function declareIncident(db: Db, input: FixtureIncident): Promise<string> {
  sequence += 1;
  const incident = await declare({
    ctx: actingAt(db, input.at),
    input: {
      title: input.title ?? `Checkout failing ${sequence}`,
      plan: input.plan,
      severity: input.severity,
      impact: input.impact ?? '',
      service: input.service ?? null,
      customer_facing: input.customerFacing ?? false,
      labels: input.labels ?? {},
      fields: input.fields ?? {},
    },
  });
  if (input.version !== undefined && incident.plan_version !== input.version)
    throw new Error(`declared under version ${incident.plan_version}, not ${input.version}`);
  return incident.id;
}

export async function acknowledge(db: Db, incidentId: string, at: Date): Promise<void> {
  await acknowledgeIncident({ ctx: actingAt(db, at), input: { incidentId } });
}

export async function publishUpdate(
  db: Db,
  incidentId: string,
  audience: 'internal' | 'external',
  at: Date,
): Promise<void> {
  await publish({
    ctx: actingAt(db, at),
    input: { incidentId, audience, bodies: { en: 'We are looking into it.' } },
  });
}

export async function resolve(db: Db, incidentId: string, at: Date): Promise<void> {
  await resolveIncident({ ctx: actingAt(db, at), input: { incidentId } });
}

export async function changeSeverity(db: Db, incidentId: string, severity: string, at: Date): Promise<void> {
  await changeIncidentSeverity({
    ctx: actingAt(db, at),
    input: { incidentId, severity, reason: 'the impact changed' },
  });
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

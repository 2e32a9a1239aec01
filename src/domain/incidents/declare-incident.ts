import { randomUUID } from 'node:crypto';
import type { Executor, NewRow } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { exerciseTitle } from '../exercises/exercises.ts';
import { type PlanVersionView, planOfDigest } from '../plans/get-plan.ts';
import { incidentTypeOf, lifecycleOf, type Plan, severityOf } from '../plans/plan.ts';
import * as plans from '../plans/queries.ts';
import { attachRunbooks } from '../runbooks/attach-runbooks.ts';
import { matchingRunbooks, runbookFacts } from '../runbooks/runbooks.ts';
import { requireSeverity, requireType } from './change.ts';
import { codeNameFor, confidentialAtDeclaration } from './confidential.ts';
import { EVENT_KINDS } from './events.ts';
import { channelName, type Incident, planChecklistRows, slugify, warRoomUrl } from './incident.ts';
import { type DeclareIncidentInput, declareIncidentSchema } from './inputs.ts';
import { rememberMoveBasis } from './move-basis.ts';
import * as incidents from './queries.ts';

/** The plan to declare under when the caller names none: the only one, if exactly one is loaded. */
async function defaultPlan(db: Executor): Promise<string> {
  const all = await plans.listPlans(db);
  const [only] = all;
  if (all.length === 1 && only) return only.name;
  const message =
    all.length === 0
      ? 'no plan is loaded yet: apply one first (tocsin apply -f plan.yaml)'
      : `required: ${all.length} plans exist (${all.map((p) => p.name).join(', ')})`;
  throw new Invalid('which plan?', [{ path: 'plan', message }]);
}

/** The severity to declare with: the one given, else the plan's unknownSeverity rule (else 400). */
function severityToDeclare(plan: Plan, given: string | undefined): { severity: string; assumed: boolean } {
  if (given !== undefined) return { severity: given, assumed: false };
  const highest = plan.severities[0]?.id;
  if (plan.unknownSeverity === 'highest' && highest) return { severity: highest, assumed: true };
  throw new Invalid('severity is required', [
    {
      path: 'severity',
      message: `required: plan ${plan.metadata.name} does not count an unknown severity as another (unknownSeverity)`,
    },
  ]);
}

/**
 * Declares an incident under the current version of a plan, which it keeps from then on: state from
 * the plan's lifecycle, chat channel name from its pattern, its checklists, and the responders its
 * severity calls for.
 */
/** Timeline events and audit entries a batch holds back to write together (declareIncident). */
export interface HeldWrites {
  events: NewRow<'incident_events'>[];
  audits: NewRow<'audit_log'>[];
}

export async function declareIncident(
  { ctx, input }: Operation<DeclareIncidentInput>,
  /**
   * The current version of the plan input.plan names, when the caller read it in this transaction
   * already (the alert rules, once per tick and service): it is not read again.
   */
  current?: Pick<PlanVersionView, 'name' | 'plan' | 'version'>,
  /**
   * When given (the alert rules declaring a batch of incidents in one tick), the incident's timeline
   * events and audit entry are added to it, in order, for the caller to write with the batch's
   * (incidents/queries.ts appendEventsAndAudits) before anything reads them, instead of one by one.
   */
  held?: HeldWrites,
): Promise<Incident> {
  ctx.require('incident:declare');
  const data = declareIncidentSchema.parse(input);
  // The id and the plan are read on the caller's executor: its transaction (the alert rules'), or, for
  // a declaration on its own (the API's), outside any: a sequence is not transactional, and the plan
  // version read is the one the incident keeps, as in a transaction under READ COMMITTED.
  const db = ctx.db;
  const now = ctx.clock.now();
  const planName = data.plan ?? (await defaultPlan(db));
  // The id and the plan's current version in one round trip; the plan from the cache by digest.
  const reserved =
    current?.name === planName ? undefined : await incidents.nextIncidentIdAndPlan(db, planName);
  if (reserved && reserved.version === null) {
    throw new Invalid(`unknown plan "${planName}"`, [{ path: 'plan', message: `no plan "${planName}"` }]);
  }
  const { plan, version } =
    current?.name === planName
      ? current
      : {
          version: reserved?.version as number,
          plan: await planOfDigest(db, planName, reserved?.version as number, reserved?.digest),
        };
  const { severity, assumed } = severityToDeclare(plan, data.severity);
  requireSeverity(plan, severity);
  if (data.type !== undefined) requireType(plan, data.type);
  const type = incidentTypeOf(plan, data.type);
  const detectedAt = data.detected_at ? new Date(data.detected_at) : null;
  if (detectedAt && !(detectedAt.getTime() <= now.getTime())) {
    throw new Invalid('detected_at is not a past time', [
      { path: 'detected_at', message: `must be a valid time before now (${now.toISOString()})` },
    ]);
  }
  const id = reserved?.id ?? (await incidents.nextIncidentId(db));
  // Eight random hex digits: a v4 UUID's first eight are random, and randomUUID draws from a buffer
  // of entropy it refills every 128 calls (randomBytes(4) went to the generator each time).
  const correlationId = data.correlation_id ?? `inc-${id}-${randomUUID().slice(0, 8)}`;
  const confidential = confidentialAtDeclaration(
    plan,
    data.confidential,
    { ...data, severity, type: type?.id ?? null, service: data.service ?? null },
    now,
  );
  const codeName = confidential
    ? codeNameFor(plan, data.code_name, { id, severity, declaredAt: now, exercise: data.exercise })
    : null;
  // An exercise says so wherever its title goes: pages, messages, channel, post-mortem.
  const title = data.exercise ? exerciseTitle(data.title) : data.title;
  // The declare checklist now; one named like a state when the incident enters it (moveToState).
  const initial = lifecycleOf(plan).initial;
  const checklist = ['declare', initial].flatMap((name) => planChecklistRows(plan, id, name));
  const responders = [...new Set(severityOf(plan, severity)?.responders ?? [])];
  const responderRows = responders.map((responder) => ({
    incident_id: id,
    responder,
    reason: `severity ${severity}`,
    source: 'plan',
    added_at: now,
  }));
  // A type's own channel pattern (e.g. a security channel) wins over the plan's.
  const channel = channelName(type?.channel ?? plan.channel?.name, {
    id,
    // A confidential incident's channel is named after its code name, never its title.
    title: codeName ?? title,
    severity,
    declaredAt: now,
  });
  const warRoom = warRoomUrl(plan, {
    id,
    severity,
    service: data.service ?? null,
    declared_at: now,
    // A war-room link leaves Tocsin: a confidential incident shows only its code name there.
    title: codeName ?? title,
    correlation_id: correlationId,
  });
  // The row whole, every column given (no default applies), in the table's column order: what the
  // insert writes is what it stores, so the audit entry's `after` is known before the insert and
  // written in the same statement, and the insert need not answer the row (declare-incident.test.ts
  // compares both with the stored row).
  const incident: Incident = {
    id,
    title,
    slug: slugify(title),
    summary: data.summary,
    impact: data.impact,
    service: data.service ?? null,
    customer_facing: data.customer_facing,
    labels: data.labels,
    fields: data.fields,
    plan_name: planName,
    plan_version: version,
    severity,
    state: initial,
    correlation_id: correlationId,
    channel_name: channel,
    mitigation: null,
    declared_at: now,
    detected_at: detectedAt,
    acknowledged_at: null,
    triaged_at: null,
    first_update_at: null,
    status_page_at: null,
    mitigated_at: null,
    resolved_at: null,
    state_entered_at: now,
    created_by: ctx.actor.name,
    updated_at: now,
    resolution: '',
    severity_changed_at: null,
    type: type?.id ?? null,
    confidential,
    code_name: codeName,
    urgency: data.urgency,
    merged_into: null,
    war_room_url: warRoom,
    exercise: data.exercise,
  };
  const row = {
    ...incident,
    labels: JSON.stringify(incident.labels),
    fields: JSON.stringify(incident.fields),
  };
  // The timeline events (declared, a responder added per plan responder, a runbook attached per
  // matching runbook) and the audit entry are held and written together: with the caller's batch
  // (held), else by this declaration. Nothing in between reads them (attachRunbooks reads which
  // runbooks the timeline says are attached, none for a new incident).
  const writes: HeldWrites = held ?? { events: [], audits: [] };
  const event = async (kind: (typeof EVENT_KINDS)[keyof typeof EVENT_KINDS], d: Record<string, unknown>) => {
    writes.events.push(incidents.eventRowOf({ incidentId: id, kind, at: now, actor: ctx.actor, data: d }));
  };
  const declared = {
    title: incident.title,
    severity: incident.severity,
    ...(incident.type ? { type: incident.type } : {}),
    ...(assumed
      ? { severity_assumed: `unknown severity counts as ${severity} (unknownSeverity: highest)` }
      : {}),
    plan: planName,
    plan_version: version,
    service: incident.service,
    customer_facing: incident.customer_facing,
    correlation_id: incident.correlation_id,
    channel: incident.channel_name,
    ...(incident.war_room_url ? { war_room: incident.war_room_url } : {}),
  };
  writes.events.push(
    incidents.eventRowOf({
      incidentId: id,
      kind: EVENT_KINDS.declared,
      at: now,
      actor: ctx.actor,
      data: declared,
    }),
  );
  writes.audits.push(
    audit.auditRowOf(ctx.actor, now, {
      action: 'incident.declared',
      entityType: 'incident',
      entityId: id,
      after: incident,
    }),
  );
  for (const responder of responders) {
    await event(EVENT_KINDS.responderAdded, { responder, source: 'plan' });
  }
  const facts = runbookFacts(incident);
  if (held) {
    // In the caller's transaction (the alert rules' tick), which writes the held events and audits.
    await incidents.insertIncidentWithParts(db, row, checklist, responderRows);
    await attachRunbooks(db, { incidentId: id, plan, facts, event });
    return incident;
  }
  if (matchingRunbooks(plan, facts).length === 0) {
    // The incident, its checklist items and responders, its timeline events and audit entry in one
    // statement, its own transaction when the caller has none: with the reservation, two round trips
    // where BEGIN, three statements and COMMIT made five.
    await incidents.insertIncidentWithParts(db, row, checklist, responderRows, writes, ctx.log);
    // Committed: its first move need not read it back (move-basis.ts).
    if (!db.isTransaction) rememberMoveBasis(db, incident, reserved?.digest);
    return incident;
  }
  // Runbooks to attach (their checklists and events): a transaction of its own.
  return inTx(db, async (tx) => {
    await incidents.insertIncidentWithParts(tx, row, checklist, responderRows);
    await attachRunbooks(tx, { incidentId: id, plan, facts, event });
    await incidents.appendEventsAndAudits(tx, writes.events, writes.audits);
    return incident;
  });
}

import type { Transaction } from 'kysely';
import type { Database, Executor, Row } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid, NotFound } from '../../errors.ts';
import * as alerts from '../alerts/queries.ts';
import * as audit from '../audit/queries.ts';
import type { Actor, Ctx } from '../context.ts';
import { stopPaging } from '../paging/stop-paging.ts';
import { loadPlanVersion, planOfDigest } from '../plans/get-plan.ts';
import { incidentTypeOf, type Lifecycle, lifecycleOf, type Plan, severityOf } from '../plans/plan.ts';
import { openPostmortemOnResolve } from '../postmortems/open-postmortem.ts';
import { attachRunbooks } from '../runbooks/attach-runbooks.ts';
import { runbookFacts } from '../runbooks/runbooks.ts';
import * as users from '../users/queries.ts';
import {
  queriesPrometheus,
  requireVerified,
  verificationOnStateChange,
} from '../verification/on-state-change.ts';
import { codeNameFor, requireVisible } from './confidential.ts';
import { EVENT_KINDS, type EventKind } from './events.ts';
import { assertOpen, type Incident, isId, planChecklistRows, warRoomUrl } from './incident.ts';
import { forgetMoveBasis, type MoveBasis, moveBasisOf, rememberMoveBasis } from './move-basis.ts';
import * as incidents from './queries.ts';
import { movers, requireMayEnterState } from './state-permission.ts';

// The frame every incident operation shares: one transaction, the incident locked, its plan version
// loaded, and helpers that write timeline events and audit rows into that same transaction. Steps
// used by more than one operation (severity, state) live here too, so there is one copy of each.

export interface IncidentChange {
  tx: Transaction<Database>;
  /** The locked row as it was before this change. */
  incident: Incident;
  plan: Plan;
  lifecycle: Lifecycle;
  now: Date;
  ctx: Ctx;
  event(kind: EventKind, data?: Record<string, unknown>): Promise<void>;
  /**
   * An event and the incident's audit entry written in one statement (one round trip, same
   * transaction); with `auditEventId` the entry's `after` names the event (`event_id`).
   */
  eventAudited(
    kind: EventKind,
    data: Record<string, unknown>,
    entry: { action: string; before: unknown; after: unknown; auditEventId?: boolean },
  ): Promise<Row<'incident_events'>>;
  audit(
    action: string,
    before: unknown,
    after: unknown,
    entity?: { type: string; id: string },
  ): Promise<void>;
}

export interface ChangeOptions {
  /** Set for changes a resolved incident refuses: the words finish "cannot …" in the 409. */
  refusedWhenResolved?: string;
}

/** An incident with its plan version, read without locking. */
export async function readIncident(db: Executor, incidentId: string) {
  const incident = isId(incidentId) ? await incidents.findIncident(db, incidentId) : undefined;
  if (!incident) throw new NotFound('incident', incidentId);
  const { plan } = await loadPlanVersion(db, incident.plan_name, incident.plan_version);
  return { incident, plan };
}

/**
 * readIncident for a person: an incident the actor may not see (confidential) is not found, the same
 * 404 as one that does not exist.
 */
export async function readVisibleIncident(ctx: Ctx, incidentId: string, db: Executor = ctx.db) {
  const found = await readIncident(db, incidentId);
  await requireVisible(db, found.plan, found.incident, ctx.actor, ctx.clock.now());
  return found;
}

export function changeIncident<T>(
  ctx: Ctx,
  incidentId: string,
  options: ChangeOptions,
  fn: (change: IncidentChange) => Promise<T>,
): Promise<T> {
  return inTx(ctx.db, async (tx) => {
    const locked = isId(incidentId) ? await incidents.lockIncidentWithPlanDigest(tx, incidentId) : undefined;
    if (!locked) throw new NotFound('incident', incidentId);
    const { incident, planDigest } = locked;
    const plan = await planOfDigest(tx, incident.plan_name, incident.plan_version, planDigest);
    await requireVisible(tx, plan, incident, ctx.actor, ctx.clock.now());
    const lifecycle = lifecycleOf(plan);
    if (options.refusedWhenResolved) assertOpen(incident, lifecycle, options.refusedWhenResolved);
    const now = ctx.clock.now();
    return fn({
      tx,
      incident,
      plan,
      lifecycle,
      now,
      ctx,
      async event(kind, data) {
        await incidents.appendEvent(tx, { incidentId: incident.id, kind, at: now, actor: ctx.actor, data });
      },
      eventAudited(kind, data, entry) {
        return incidents.appendEventAudited(
          tx,
          { incidentId: incident.id, kind, at: now, actor: ctx.actor, data },
          incidentAuditRow(ctx.actor, now, incident.id, entry),
          entry.auditEventId,
        );
      },
      async audit(action, before, after, entity = { type: 'incident', id: incident.id }) {
        await audit.record(tx, ctx.actor, now, {
          action,
          entityType: entity.type,
          entityId: entity.id,
          before,
          after,
        });
      },
    });
  });
}

/** Refuses a severity the incident's plan version does not define (400, naming the known ones). */
export function requireSeverity(plan: Plan, severity: string, path = 'severity'): void {
  if (severityOf(plan, severity)) return;
  const known = plan.severities.map((s) => s.id).join(', ');
  throw new Invalid(`unknown severity "${severity}"`, [
    { path, message: `not a severity of plan ${plan.metadata.name} (${known})` },
  ]);
}

/** Refuses an incident type the plan version does not define (400, naming the known ones). */
export function requireType(plan: Plan, type: string, path = 'type'): void {
  if (incidentTypeOf(plan, type)) return;
  const known = plan.types.map((t) => t.id).join(', ') || 'it defines no types';
  throw new Invalid(`unknown incident type "${type}"`, [
    { path, message: `not a type of plan ${plan.metadata.name} (${known})` },
  ]);
}

/**
 * Changes the incident type with a reason (null clears it); unchanged rows come back as they are.
 * The new type's pages and checklists run from its incident.type_changed event, as a raised
 * severity's do from incident.severity_changed (compile-plan-rules.ts), and its targets apply at once.
 */
export async function setType(
  c: IncidentChange,
  current: Incident,
  type: string | null,
  reason: string,
): Promise<Incident> {
  if (type !== null) requireType(c.plan, type);
  if (current.type === type) return current;
  // A confidential type makes the incident confidential; leaving it never makes it public again.
  const secret = !current.confidential && incidentTypeOf(c.plan, type)?.confidential === true;
  const after = await incidents.updateIncident(c.tx, current.id, {
    type,
    updated_at: c.now,
    ...(secret
      ? {
          confidential: true,
          code_name: codeNameFor(c.plan, undefined, {
            id: current.id,
            severity: current.severity,
            declaredAt: current.declared_at,
            exercise: current.exercise,
          }),
        }
      : {}),
  });
  await c.event(EVENT_KINDS.typeChanged, { from: current.type, to: type, reason });
  await c.audit('incident.type_changed', { type: current.type }, { type, reason });
  return after;
}

/** Changes the severity with a reason; returns the row unchanged when it already has it. */
export async function setSeverity(
  c: IncidentChange,
  current: Incident,
  severity: string,
  reason: string,
): Promise<Incident> {
  requireSeverity(c.plan, severity);
  if (current.severity === severity) return current;
  // A severity the war room is for opens one, once: a link people joined never changes.
  const room = current.war_room_url ?? warRoomUrl(c.plan, { ...current, severity });
  const after = await incidents.updateIncident(c.tx, current.id, {
    severity,
    severity_changed_at: c.now,
    updated_at: c.now,
    war_room_url: room,
  });
  await c.event(EVENT_KINDS.severityChanged, { from: current.severity, to: severity, reason });
  await c.audit('incident.severity_changed', { severity: current.severity }, { severity, reason });
  await attachRunbooks(c.tx, {
    incidentId: current.id,
    plan: c.plan,
    facts: runbookFacts(after),
    event: c.event,
  });
  return after;
}

/**
 * Refuses a move the plan does not allow (an unknown state, no such transition, a mover the state's
 * `by` leaves out); false when the incident is already in the state (a repeat is not an error).
 */
export async function checkMove(c: IncidentChange, to: string, mover: Actor): Promise<boolean> {
  const { incident, lifecycle } = c;
  if (!lifecycle.states.includes(to)) {
    throw new Invalid(`unknown state "${to}"`, [
      { path: 'to', message: `not a state of plan ${c.plan.metadata.name} (${lifecycle.states.join(', ')})` },
    ]);
  }
  if (incident.state === to) return false;
  if (!lifecycle.canTransition(incident.state, to)) {
    const allowed = lifecycle.states.filter((s) => lifecycle.canTransition(incident.state, s));
    throw new Conflict(
      `cannot move incident ${incident.id} from ${incident.state} to ${to}; allowed: ${allowed.join(', ') || 'none'}`,
    );
  }
  await requireMayEnterState(c.tx, c.plan, incident, mover, to, c.now);
  return true;
}

/** What moving to `to` writes: the row's new columns, the event's data, the audit entry. */
function stateMove(
  incident: Pick<Incident, 'state' | 'resolved_at'>,
  lifecycle: Lifecycle,
  to: string,
  now: Date,
  extra: { reason?: string | undefined; resolution?: string | undefined },
) {
  const entersResolved = to === lifecycle.resolved;
  const reopens = incident.state === lifecycle.resolved;
  const set = {
    state: to,
    state_entered_at: now,
    updated_at: now,
    ...(entersResolved ? { resolved_at: now } : {}),
    ...(reopens ? { resolved_at: null } : {}),
    ...(entersResolved && extra.resolution !== undefined ? { resolution: extra.resolution } : {}),
  };
  const moved = {
    from: incident.state,
    to,
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(reopens ? { reopened: true } : {}),
  };
  // The row's resolved_at after the update, known before it: set when resolving, cleared on a reopen.
  const resolvedAt = entersResolved ? now : reopens ? null : incident.resolved_at;
  const entry = {
    action: entersResolved ? 'incident.resolved' : reopens ? 'incident.reopened' : 'incident.state_changed',
    before: { state: incident.state, resolved_at: incident.resolved_at },
    after: { state: to, resolved_at: resolvedAt, ...(extra.reason ? { reason: extra.reason } : {}) },
  };
  return { entersResolved, set, moved, entry };
}

/**
 * A person's move that needs nothing but the row and its plan, without BEGIN, lock and COMMIT: the
 * incident read (one statement), the checks decided on it in Node, then the row, its event and audit
 * entry written in one statement on condition that the row is still as read (moveStateIfUnchanged).
 * Two round trips where the locked path takes four. Undefined when the move is anything else — an
 * error to report, a confidential incident, a state whose `by` or an approval gate asks about people,
 * resolving (alerts, paging, post-mortem), verification, a checklist to open — or the row changed
 * meanwhile: the caller then takes the locked path (changeIncident + moveToState), which decides and
 * words every 4xx as before. A repeat of the current state returns the row, as moveToState does.
 */
export async function moveWithoutLock(
  ctx: Ctx,
  incidentId: string,
  to: string,
  reason: string | undefined,
  gated: (plan: Plan, lifecycle: Lifecycle, from: string) => boolean,
): Promise<Incident | undefined> {
  if (!isId(incidentId)) return undefined;
  // The incident as this process last wrote it (move-basis.ts): the move in one round trip when the
  // row is still so. A repeat of the state answers the row, which only a read has.
  const known = moveBasisOf(ctx.db, incidentId);
  if (known && known.state !== to) {
    const moved = await moveFrom(ctx, known, to, reason, gated);
    if (moved !== CHANGED) return moved;
  }
  const found = await incidents.findIncidentWithPlanDigest(ctx.db, incidentId);
  if (!found || found.incident.confidential) return undefined;
  const { incident, planDigest } = found;
  const moved = await moveFrom(ctx, { ...incident, planDigest }, to, reason, gated, incident);
  return moved === CHANGED ? undefined : moved;
}

/** moveFrom's answer when the row was no longer as the basis said: nothing was written. */
const CHANGED = Symbol('changed');

/**
 * moveWithoutLock's checks and write from what is known of the incident (a row just read, or the
 * basis last remembered): the moved row, undefined for the locked path, or CHANGED.
 */
async function moveFrom(
  ctx: Ctx,
  basis: MoveBasis,
  to: string,
  reason: string | undefined,
  gated: (plan: Plan, lifecycle: Lifecycle, from: string) => boolean,
  read?: Incident,
): Promise<Incident | undefined | typeof CHANGED> {
  const plan = await planOfDigest(ctx.db, basis.plan_name, basis.plan_version, basis.planDigest);
  const lifecycle = lifecycleOf(plan);
  if (!lifecycle.states.includes(to)) return undefined;
  if (basis.state === to) return read;
  if (!lifecycle.canTransition(basis.state, to) || to === lifecycle.resolved) return undefined;
  if (ctx.actor.kind !== 'system' && (movers(plan, to).length > 0 || gated(plan, lifecycle, basis.state)))
    return undefined;
  const verifying = plan.verification?.state;
  if (verifying !== undefined && (verifying === basis.state || verifying === to)) return undefined;
  if (planChecklistRows(plan, basis.id, to).length > 0) return undefined;
  const now = ctx.clock.now();
  const { set, moved, entry } = stateMove(basis, lifecycle, to, now, { reason });
  const after = await incidents.moveStateIfUnchanged(
    ctx.db,
    basis,
    set,
    { incidentId: basis.id, kind: EVENT_KINDS.stateChanged, at: now, actor: ctx.actor, data: moved },
    incidentAuditRow(ctx.actor, now, basis.id, entry),
    ctx.log,
  );
  if (!after) {
    forgetMoveBasis(ctx.db, basis.id);
    return CHANGED;
  }
  rememberMoveBasis(ctx.db, after, basis.planDigest);
  return after;
}

/**
 * Moves the incident to another lifecycle state if the plan allows it. Entering the resolved state
 * stamps resolved_at; leaving it (a reopen) clears it. Repeating the current state is a no-op so a
 * retried request is not an error.
 */
export async function moveToState(
  c: IncidentChange,
  to: string,
  extra: {
    reason?: string | undefined;
    resolution?: string | undefined;
    /** Who asked for the move, when not the actor (an approved request carried out by its last approver). */
    mover?: Actor | undefined;
  } = {},
): Promise<Incident> {
  const { incident, lifecycle } = c;
  if (!(await checkMove(c, to, extra.mover ?? c.ctx.actor))) return incident;
  const { entersResolved, set, moved, entry } = stateMove(incident, lifecycle, to, c.now, extra);
  const prometheus = queriesPrometheus(c.ctx);
  if (entersResolved) await requireVerified(c.tx, incident.id, prometheus);
  // A plain move writes the row, its event and audit entry in one statement; resolving keeps the
  // entry last, after the audits of what resolving does (post-mortem, paging stopped).
  let after: Incident;
  if (entersResolved) {
    after = await incidents.updateIncident(c.tx, incident.id, set);
    await c.event(EVENT_KINDS.stateChanged, moved);
  } else {
    after = await incidents.updateIncidentEventAudited(
      c.tx,
      incident.id,
      set,
      { incidentId: incident.id, kind: EVENT_KINDS.stateChanged, at: c.now, actor: c.ctx.actor, data: moved },
      incidentAuditRow(c.ctx.actor, c.now, incident.id, entry),
    );
  }
  if (entersResolved) {
    const detachedAlerts = await detachAlertsFrom(c, incident.id);
    const resolvedAlerts = await resolveAlertsWith(c, incident.id);
    await c.event(EVENT_KINDS.resolved, {
      resolution: after.resolution,
      ...(resolvedAlerts > 0 ? { alerts_resolved: resolvedAlerts } : {}),
      ...(detachedAlerts > 0 ? { alerts_detached: detachedAlerts } : {}),
    });
    await stopPaging(c.tx, incident.id, 'resolved', c.ctx.actor.name, c.now);
    await openPostmortemOnResolve(c.tx, { incident: after, plan: c.plan, actor: c.ctx.actor, now: c.now });
  }
  await verificationOnStateChange(c.tx, {
    incidentId: incident.id,
    from: incident.state,
    to,
    plan: c.plan,
    now: c.now,
    prometheus,
    event: c.event,
  });
  // Most states have no checklist: then there is nothing to look up.
  const checklist = planChecklistRows(c.plan, incident.id, to);
  if (checklist.length > 0 && !(await incidents.hasChecklist(c.tx, incident.id, to))) {
    await incidents.insertChecklistItems(c.tx, checklist);
  }
  if (entersResolved) await c.audit(entry.action, entry.before, entry.after);
  return after;
}

/**
 * Alerts of services whose rules say `onIncidentResolved: detach` stay open without the incident
 * (the sender resolves them); their next trigger is a recurrence that opens or reopens one.
 */
async function detachAlertsFrom(c: IncidentChange, incidentId: string): Promise<number> {
  const rows = await alerts.detachIncidentAlerts(c.tx, incidentId, c.now);
  await alerts.insertEvents(
    c.tx,
    rows.map((r) => ({
      alert_id: r.id,
      at: c.now,
      kind: 'detach',
      actor: c.ctx.actor.name,
      data: JSON.stringify({ reason: `incident ${incidentId} was resolved`, incident_id: incidentId }),
    })),
  );
  return rows.length;
}

/**
 * The incident's open alerts resolve with it (unless their service detaches them): otherwise they stay open, and the same alert firing
 * again only bumps their count instead of opening (and paging) a new incident.
 */
async function resolveAlertsWith(c: IncidentChange, incidentId: string): Promise<number> {
  const rows = await alerts.resolveIncidentAlerts(c.tx, incidentId, c.now);
  await alerts.insertEvents(
    c.tx,
    rows.map((r) => ({
      alert_id: r.id,
      at: c.now,
      kind: 'resolve',
      actor: c.ctx.actor.name,
      data: JSON.stringify({ reason: `incident ${incidentId} was resolved` }),
    })),
  );
  return rows.length;
}

/** Users by handle, or a 400 naming each unknown one at its path (e.g. agreed_by.1). */
export async function usersByHandle(db: Executor, handles: string[], pathOf: (index: number) => string) {
  const found = await users.findManyByHandle(db, [...new Set(handles)]);
  const byHandle = new Map(found.map((u) => [u.handle, u]));
  const details = handles.flatMap((h, i) =>
    byHandle.has(h) ? [] : [{ path: pathOf(i), message: `no user "${h}"` }],
  );
  if (details.length > 0) throw new Invalid('unknown user', details);
  return byHandle;
}

/** The audit entry of a change to one incident (written in the statement that makes the change). */
function incidentAuditRow(
  actor: Actor,
  at: Date,
  incidentId: string,
  entry: { action: string; before: unknown; after: unknown },
) {
  return audit.auditRowOf(actor, at, {
    action: entry.action,
    entityType: 'incident',
    entityId: incidentId,
    before: entry.before,
    after: entry.after,
  });
}

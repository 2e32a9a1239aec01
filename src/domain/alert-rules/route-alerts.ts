import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { Executor } from '../../db/schema.ts';
import { txMemo } from '../../db/tx-memo.ts';
import { AppError } from '../../errors.ts';
import { formatDuration, parseDuration } from '../../lib/duration.ts';
import * as alerts from '../alerts/queries.ts';
import { type Ctx, makeCtx } from '../context.ts';
import { declareIncident, type HeldWrites } from '../incidents/declare-incident.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import { reopenForRecurrence } from '../incidents/reopen-for-recurrence.ts';
import { type AlertFacts, ENTITY, type Suppression, suppresses } from '../maintenance/maintenance.ts';
import * as maintenance from '../maintenance/queries.ts';
import { pageReopened } from '../paging/page-reopened.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import type { Plan } from '../plans/plan.ts';
import type { ServiceRules } from '../services/services.ts';
import {
  ALERT_RULES_ACTOR,
  absorbs,
  belowThreshold,
  type Candidate,
  declareInputFor,
  graceMs,
  planSeverityFor,
  planTypeFor,
  ROUTING,
  rulesOf,
  urgencyFor,
} from './alert-rules.ts';
import * as q from './queries.ts';

/** Alerts decided per tick; a storm larger than this is worked off over several ticks. */
export const ROUTE_BATCH = 500;

export interface RouteEnv {
  tx: Executor;
  now: Date;
  log?: Logger | undefined;
  /**
   * When given, the ids of the incidents this tick declared are added to it (in order), so the
   * caller can run their workflows — their first pages — in the same transaction.
   */
  declared?: string[] | undefined;
  /** Called when a batch was full (work may be left): the engine's TickContext.more. */
  more?: (() => void) | undefined;
  /**
   * Called when the batch held an alert that came in resolved: attached to an incident, it may have
   * left every alert of that incident resolved (noteAlertsResolved).
   */
  sawResolved?: (() => void) | undefined;
}

type Undecided = Awaited<ReturnType<typeof q.claimUndecided>>[number];
type RoutedAlert = Undecided & AlertFacts;

/** What the tick knows of a service, read once per tick. */
interface ServiceState {
  rules: ServiceRules;
  rulesProblem: string | undefined;
  plan: { name: string; plan: Plan; version: number } | null | undefined;
  /** Its open incidents, newest first; loaded when an alert first needs them, kept up to date. */
  candidates: Candidate[] | undefined;
}

interface Decision {
  routing: string;
  reason: string;
  incidentId?: string;
  data?: Record<string, unknown>;
  /** An incident this decision declared: later alerts of the tick may join it. */
  declared?: Candidate;
}

/** The module's context: its actor, and the tick's one instant for everything it writes. */
export function rulesCtx(env: RouteEnv): Ctx {
  return makeCtx({ db: env.tx as Ctx['db'], clock: { now: () => env.now }, log: env.log }, ALERT_RULES_ACTOR);
}

/**
 * Decides, once, what each undecided alert does: suppressed by a maintenance window or silence,
 * recorded below the service's threshold, held for its grace period and then self-healed or not,
 * absorbed by an open incident, or declaring one under the service's plan. Every decision is kept
 * on the alert (routing, routed_at, an event); none drops it. Runs in the engine's transaction
 * under its lock; returns how many alerts it decided or put on hold.
 */
export async function routeAlerts(env: RouteEnv): Promise<number> {
  const ctx = rulesCtx(env);
  const batch = await q.claimUndecided(env.tx, env.now, ROUTE_BATCH);
  if (batch.length === 0) return 0;
  // A full claim may have left undecided alerts behind: the engine runs the module again at once.
  if (batch.length === ROUTE_BATCH) env.more?.();
  if (batch.some((a) => a.status === 'resolved')) env.sawResolved?.();
  const since = new Date(Math.min(...batch.map((a) => a.first_seen_at.getTime())));
  // The claim says when the last suppression that has begun ends: none can cover an alert of the
  // batch unless that is after the oldest was first seen (what suppressionsActiveBetween asks).
  const until = batch[0]?.suppressed_until;
  const suppressions =
    until && until > since ? await maintenance.suppressionsActiveBetween(env.tx, since, env.now) : [];
  const routeAll = async (isolate: boolean, guard: Guard) => {
    const services = new Map<string, ServiceState>();
    const decided: q.RoutedDecision[] = [];
    const declared: string[] = [];
    let held = 0;
    // Not isolated, the batch's new incidents' timeline events and audit entries (declared, alert
    // attached) are written together below, in the order they were made, instead of one by one.
    const writes: HeldWrites | undefined = isolate ? undefined : { events: [], audits: [] };
    for (const row of batch) {
      const state = services.get(row.service_id) ?? newServiceState(row.rules_text);
      services.set(row.service_id, state);
      const outcome = await routeOne(ctx, row, state, suppressions, isolate, writes, guard);
      if (outcome === 'held') held++;
      else if (outcome !== 'unchanged') {
        decided.push(outcome);
        if (outcome.routing.startsWith(ROUTING.declared(''))) declared.push(outcome.incidentId as string);
      }
    }
    env.declared?.push(...declared);
    if (writes) await incidents.appendEventsAndAudits(env.tx, writes.events, writes.audits);
    // Every decision of the batch, and its event, in one statement (the alerts are locked by the claim).
    const routed = await q.markRouted(env.tx, decided, env.now, ALERT_RULES_ACTOR.name);
    return held + routed;
  };
  // One savepoint for the batch, not one per alert (two round trips each): when an alert's rules
  // fail, the batch is rolled back and decided again with each alert under its own savepoint, so
  // that alert fails alone, as before. A failure of the store fails the tick either way. The
  // savepoint is taken only before the batch's first write (a hold, a join, a reopen, a declare):
  // a batch that only records, suppresses or self-heals (its decisions are written by markRouted
  // after the loop) does not pay two round trips for it, and a rule that fails before any write
  // has nothing to roll back.
  const guard: Guard = {
    taken: false,
    enter: async () => {
      if (guard.taken) return;
      guard.taken = true;
      await q.savepoint(env.tx);
    },
  };
  let handled: number;
  try {
    handled = await routeAll(false, guard);
  } catch (error) {
    if (!isRuleFailure(error)) throw error;
    if (guard.taken) {
      await q.rollbackToSavepoint(env.tx);
      await q.releaseSavepoint(env.tx);
    }
    return routeAll(true, NO_GUARD);
  }
  if (guard.taken) await q.releaseSavepoint(env.tx);
  return handled;
}

/**
 * The batch's savepoint, taken by enter() before its first write (routeAlerts); isolated, each alert
 * has its own (routeOne), and enter() does nothing.
 */
interface Guard {
  taken: boolean;
  enter(): Promise<void>;
}

const NO_GUARD: Guard = { taken: false, enter: async () => {} };

/** Bad input a person must fix (a rule that cannot apply to an alert), not a failure of the store. */
function isRuleFailure(error: unknown): boolean {
  return error instanceof AppError || error instanceof ZodError;
}

function newServiceState(stored: string | null): ServiceState {
  const { rules, problem } = rulesOf(stored === null ? null : JSON.parse(stored));
  return { rules, rulesProblem: problem, plan: undefined, candidates: undefined };
}

/**
 * Decides one alert; isolated, inside a savepoint of its own. Not isolated (the batch's first
 * attempt), a rule failure is thrown to routeAlerts. Returns the decision to record (routeAlerts
 * writes a batch's decisions together), or whether it was put on hold.
 */
async function routeOne(
  ctx: Ctx,
  alert: RoutedAlert,
  state: ServiceState,
  suppressions: Suppression[],
  isolate: boolean,
  writes: HeldWrites | undefined,
  guard: Guard,
): Promise<q.RoutedDecision | 'held' | 'unchanged'> {
  const tx = ctx.db;
  if (isolate) await q.savepoint(tx);
  let decision: Decision | 'held' | 'unchanged';
  try {
    decision = await decide(ctx, alert, state, suppressions, writes, guard);
  } catch (error) {
    // A rule that cannot apply to this alert (bad input a person must fix) fails it alone and for
    // good; anything else (the store) fails the tick, which is retried.
    if (!isolate || !isRuleFailure(error)) throw error;
    await q.rollbackToSavepoint(tx);
    ctx.log?.warn({ err: error, alert: alert.id }, 'alert rules failed for an alert');
    decision = {
      routing: ROUTING.failed,
      reason: `the rules could not be applied: ${(error as Error).message}`,
    };
  }
  if (isolate) await q.releaseSavepoint(tx);
  if (decision === 'unchanged' || decision === 'held') return decision;
  const notes = state.rulesProblem ? { rules_problem: state.rulesProblem } : {};
  // The claim locked the alert undecided: the batch's statement routes it, so later alerts of the
  // tick may join the incident it declared.
  if (decision.declared) state.candidates?.unshift(decision.declared);
  return {
    id: alert.id,
    routing: decision.routing,
    incidentId: decision.incidentId,
    data: { routing: decision.routing, reason: decision.reason, ...decision.data, ...notes },
  };
}

async function decide(
  ctx: Ctx,
  alert: RoutedAlert,
  state: ServiceState,
  suppressions: Suppression[],
  writes: HeldWrites | undefined,
  guard: Guard,
): Promise<Decision | 'held' | 'unchanged'> {
  const now = ctx.clock.now();
  const { rules } = state;

  const suppression = suppressions.find((s) => suppresses(s, alert, now));
  if (suppression) {
    return {
      routing: ROUTING.suppressed(suppression.id),
      reason: `${ENTITY[suppression.kind].replace('_', ' ')} ${suppression.id}: ${suppression.comment}`,
      data: { suppression_id: suppression.id, suppression_kind: suppression.kind },
    };
  }

  if (belowThreshold(alert.severity, rules.declare)) {
    return {
      routing: ROUTING.recorded,
      reason: `severity ${alert.severity} is below the service's declare threshold (${rules.declare})`,
    };
  }

  const plan = await planOf(ctx, alert, state);
  const grace = graceMs(rules, plan?.plan);
  if (grace > 0) {
    const deadline = new Date(alert.first_seen_at.getTime() + grace);
    if (alert.status === 'resolved' && alert.resolved_at && alert.resolved_at <= deadline) {
      return {
        routing: ROUTING.selfHealed,
        reason: `resolved within the self-healing grace period (${formatDuration(grace)}): no incident, nobody paged`,
      };
    }
    if (now < deadline) return hold(ctx, alert, deadline, grace, guard);
  }

  const joined = await joinOpenIncident(ctx, alert, state, writes, guard);
  if (joined) return joined;

  if (!plan) {
    return { routing: ROUTING.noPlan, reason: `service ${alert.service} has no plan: recorded only` };
  }
  await guard.enter();
  return (await reopenRecent(ctx, alert, plan.plan)) ?? declareFor(ctx, alert, rules, plan, writes);
}

/** Leaves the alert for its grace period, once: the hold itself is recorded in its events. */
async function hold(
  ctx: Ctx,
  alert: RoutedAlert,
  until: Date,
  grace: number,
  guard: Guard,
): Promise<'held' | 'unchanged'> {
  if (alert.route_after && alert.route_after.getTime() === until.getTime()) return 'unchanged';
  await guard.enter();
  await q.holdUntil(ctx.db, alert.id, until);
  await alerts.insertEvents(ctx.db, [
    {
      alert_id: alert.id,
      at: ctx.clock.now(),
      kind: 'held',
      actor: ALERT_RULES_ACTOR.name,
      data: JSON.stringify({
        until,
        reason: `self-healing grace period (${formatDuration(grace)}): an incident only if still unresolved then`,
      }),
    },
  ]);
  return 'held';
}

async function planOf(ctx: Ctx, alert: RoutedAlert, state: ServiceState) {
  if (state.plan === undefined) {
    state.plan = alert.plan_name ? await loadPlanVersion(ctx.db, alert.plan_name) : null;
  }
  return state.plan;
}

/** Attaches the alert to the newest open incident of its service that absorbs it, if any. */
async function joinOpenIncident(
  ctx: Ctx,
  alert: RoutedAlert,
  state: ServiceState,
  writes: HeldWrites | undefined,
  guard: Guard,
): Promise<Decision | null> {
  const { rules } = state;
  if (!rules.groupWindow && rules.groupBy.length === 0) return null;
  state.candidates ??= (await q.openIncidentsOf(ctx.db, alert.service)).map((row) => ({
    id: row.id,
    declared_at: row.declared_at,
    trigger: row.trigger_id
      ? {
          labels: row.labels ?? {},
          service: alert.service,
          severity: row.severity ?? '',
          source: row.source ?? '',
          component: row.component,
          alert_group: row.alert_group,
          alert_class: row.alert_class,
          dedup_key: row.dedup_key ?? '',
          summary: row.summary ?? '',
        }
      : null,
  }));
  for (const candidate of state.candidates.filter((c) => absorbs(c, alert, rules))) {
    // Locked and re-read: someone may have resolved it since the tick listed it.
    await guard.enter();
    const incident = await incidents.lockIncident(ctx.db, candidate.id);
    if (!incident || incident.resolved_at) {
      state.candidates = state.candidates.filter((c) => c.id !== candidate.id);
      continue;
    }
    await attach(ctx, incident.id, alert, 'grouped', writes);
    const by = rules.groupBy.length > 0 ? `equal ${rules.groupBy.join(', ')}` : `window ${rules.groupWindow}`;
    return {
      routing: ROUTING.grouped(incident.id),
      reason: `joined open incident ${incident.id} (${by})`,
      incidentId: incident.id,
    };
  }
  return null;
}

async function declareFor(
  ctx: Ctx,
  alert: RoutedAlert,
  rules: ServiceRules,
  plan: { name: string; plan: Plan; version: number },
  writes: HeldWrites | undefined,
): Promise<Decision> {
  const choice = planSeverityFor(alert, rules, plan.plan);
  const { input, notes } = declareInputFor(
    alert,
    rules,
    { name: plan.name, severity: choice.severity },
    ctx.clock.now(),
  );
  const typed = planTypeFor(alert, rules, plan.plan);
  if (typed.type) input.type = typed.type;
  notes.push(...typed.notes);
  const urgency = urgencyFor(alert, rules);
  input.urgency = urgency.urgency;
  notes.push(...urgency.notes);
  const incident = await declareIncident({ ctx, input }, plan, writes);
  txMemo(ctx.db)?.newIncidents.add(incident.id);
  await attach(ctx, incident.id, alert, 'declared', writes);
  return {
    routing: ROUTING.declared(incident.id),
    reason: `declared incident ${incident.id} at ${choice.severity} (severity by ${choice.by})${
      urgency.urgency === 'low' ? `, low urgency (by ${urgency.by})` : ''
    }`,
    incidentId: incident.id,
    data: {
      severity: choice.severity,
      severity_by: choice.by,
      urgency: urgency.urgency,
      urgency_by: urgency.by,
      notes: [...choice.notes, ...notes],
    },
    declared: { id: incident.id, declared_at: incident.declared_at, trigger: alert },
  };
}

/**
 * A recurrence (the key triggering again after its incident resolved) within the plan's
 * lifecycle.reopenWithin reopens that incident and pages again, instead of opening a new one.
 */
async function reopenRecent(ctx: Ctx, alert: RoutedAlert, plan: Plan): Promise<Decision | null> {
  const within = plan.lifecycle.reopenWithin;
  if (!within) return null;
  const now = ctx.clock.now();
  const previous = await q.recentlyResolvedIncidentOf(
    ctx.db,
    alert,
    new Date(now.getTime() - parseDuration(within)),
  );
  if (!previous) return null;
  const why = `alert "${alert.summary}" (${alert.dedup_key}) triggered again within ${within} of the resolution`;
  const reopened = await reopenForRecurrence(ctx, previous.id, why);
  if (!reopened) return null;
  const { incident } = reopened;
  await attach(ctx, incident.id, alert, 'reopened');
  await pageReopened(ctx.db, incident, reopened.plan, `Reopened: ${why}`, now);
  return {
    routing: ROUTING.reopened(incident.id),
    reason: `reopened incident ${incident.id}: triggered again within ${within} of its resolution (lifecycle.reopenWithin)`,
    incidentId: incident.id,
    declared: { id: incident.id, declared_at: incident.declared_at, trigger: alert },
  };
}

/** The incident's timeline shows every alert that fed it. */
async function attach(
  ctx: Ctx,
  incidentId: string,
  alert: RoutedAlert,
  how: 'grouped' | 'declared' | 'reopened',
  writes?: HeldWrites,
) {
  const event = {
    incidentId,
    kind: EVENT_KINDS.alertAttached,
    at: ctx.clock.now(),
    actor: ALERT_RULES_ACTOR,
    data: {
      alert_id: alert.id,
      how,
      service: alert.service,
      dedup_key: alert.dedup_key,
      summary: alert.summary,
      severity: alert.severity,
      source: alert.source,
      status: alert.status,
      started_at: alert.started_at,
      first_seen_at: alert.first_seen_at,
    },
  };
  if (writes) writes.events.push(incidents.eventRowOf(event));
  else await incidents.appendEvent(ctx.db, event);
}

import type { Executor } from '../../db/schema.ts';
import { Invalid, Unavailable } from '../../errors.ts';
import { parseDuration } from '../../lib/duration.ts';
import type { Operation } from '../context.ts';
import { type DrillEngine, NeverDeclared, offset, runDrill } from '../drills/run-drill.ts';
import { openThrowawayStore } from '../drills/throwaway-store.ts';
import type { Incident } from '../incidents/incident.ts';
import * as incidents from '../incidents/queries.ts';
import { computeTargets } from '../incidents/targets.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { loadPlan, type Plan } from '../plans/plan.ts';
import { METRICS } from '../reports/reports.ts';
import { copyDirectory } from './copy-directory.ts';
import {
  alertBorn,
  declaredSeverity,
  type HistoryAlert,
  type HistoryEvent,
  historyScenario,
} from './history.ts';
import * as q from './queries.ts';
import {
  incidentMetrics,
  type ReplayIncident,
  type ReplayPage,
  type ReplayReport,
  type ReplaySide,
  replayTotals,
} from './replay.ts';

export interface ReplayPlanInput {
  /** The stored plan asked for (the route's): the file must be that plan. */
  name?: string | undefined;
  source: string;
  file?: string | undefined;
  since: string;
  after?: string | undefined;
  limit: number;
  /** The PostgreSQL server the throwaway replay database is made on (the store Tocsin runs on). */
  serverUrl: string | undefined;
  engine: DrillEngine;
  progress?: (message: string) => void;
}

/**
 * What-if replay: the plan's past incidents (declared within `since`), each run again through the
 * drill machinery under the changed plan, in a throwaway store holding a copy of the people, on-call
 * setup and services; their alerts (for one that began from alerts) and their people's actions come
 * at the times they happened. Nothing touches the live
 * store. Managers only: it creates and drops a database.
 */
export async function replayPlan({ ctx, input }: Operation<ReplayPlanInput>): Promise<ReplayReport> {
  ctx.require('plan:write');
  const file = input.file ?? 'plan.yaml';
  const loaded = loadPlan(input.source, file);
  if (!loaded.plan) {
    throw new Invalid(
      'the plan is not valid',
      loaded.errors.map((e) => ({ path: `${e.file}:${e.line}:${e.col}`, message: e.message })),
    );
  }
  const plan = loaded.plan;
  const name = plan.metadata.name;
  if (input.name !== undefined && input.name !== name) {
    throw new Invalid(`the file is plan ${name}, not ${input.name}`, [
      { path: 'body.source', message: `metadata.name is ${name}, the route names ${input.name}` },
    ]);
  }
  // Its incidents are those of the stored plan of the same name (a 404 when there is none).
  await loadPlanVersion(ctx.db, name);
  const to = ctx.clock.now();
  const from = new Date(to.getTime() - parseDuration(input.since));
  const total = await q.countPastIncidents(ctx.db, name, from, to);
  const rows = await q.pastIncidents(ctx.db, name, from, to, input.after, input.limit + 1);
  const batch = rows.slice(0, input.limit);
  const say = input.progress ?? (() => {});
  const out: ReplayIncident[] = [];
  if (batch.length > 0) {
    if (!input.serverUrl) throw new Unavailable('replays are not available on this instance');
    // Named apart from drills' databases (tests count those left behind by a drill).
    const store = await openThrowawayStore(input.serverUrl, 'replay');
    try {
      await copyDirectory(ctx.db, store.db);
      for (const [i, incident] of batch.entries()) {
        say(`replaying incident #${incident.id} (${i + 1} of ${batch.length})`);
        out.push(await replayIncident(ctx.db, store.db, incident, plan, input, to));
      }
    } finally {
      await store.close();
    }
  }
  return {
    plan: name,
    source: file,
    from: from.toISOString(),
    to: to.toISOString(),
    total,
    incidents: out,
    totals: replayTotals(out),
    next: rows.length > input.limit ? (batch.at(-1)?.id ?? null) : null,
  };
}

async function replayIncident(
  live: Executor,
  store: Executor & Parameters<typeof runDrill>[0],
  incident: Incident,
  plan: Plan,
  input: ReplayPlanInput,
  now: Date,
): Promise<ReplayIncident> {
  const [rows, updates, fed] = await Promise.all([
    q.timeline(live, incident.id),
    q.publishedUpdates(live, incident.id),
    q.incidentAlerts(live, incident.id),
  ]);
  const events = rows.map((e): HistoryEvent => ({ at: e.at, kind: e.kind, data: e.data, handle: e.handle }));
  const alerts = fed.map((a): HistoryAlert => ({ ...a, key: a.dedup_key }));
  const scenario = historyScenario(
    incident,
    events,
    updates.map((u) => ({ id: u.id, audience: u.audience, bodies: u.bodies })),
    alerts,
  );
  const origin = alertBorn(incident, alerts) ? 'alerts' : 'declared';
  const old = (await loadPlanVersion(live, incident.plan_name, incident.plan_version)).plan;
  const actualTargets = computeTargets(incident, old, now);
  const actual: ReplaySide = {
    plan_version: incident.plan_version,
    declared_severity: declaredSeverity(incident, events),
    paged: await pages(live, incident),
    breached: actualTargets.filter((t) => t.status === 'breached').map((t) => t.target),
    metrics: incidentMetrics(old, incident),
    state: incident.state,
  };
  let report: Awaited<ReturnType<typeof runDrill>>;
  try {
    report = await runDrill(
      store,
      { planSource: input.source, planFile: input.file ?? 'plan.yaml', scenario },
      input.engine,
    );
  } catch (error) {
    // The changed plan's alert rules opened no incident from its alerts: nobody paged, nothing to meet.
    if (!(error instanceof NeverDeclared)) throw error;
    return {
      ...header(incident, origin),
      actual,
      replay: { ...NOT_DECLARED, refused: [] },
      targets: actualTargets.map((t) => ({ target: t.target, actual: t.status, replay: null })),
    };
  }
  const replayed = (await incidents.findIncident(store, report.incident_id)) as Incident;
  const replay: ReplaySide = {
    plan_version: null,
    declared_severity: report.declared_severity,
    paged: await pages(store, replayed),
    breached: report.targets.filter((t) => t.verdict === 'breached').map((t) => t.target),
    metrics: incidentMetrics(plan, replayed),
    state: replayed.state,
  };
  const kinds = [...new Set([...actualTargets.map((t) => t.target), ...report.targets.map((t) => t.target)])];
  return {
    ...header(incident, origin),
    actual,
    replay: {
      ...replay,
      refused: report.steps
        .filter((s) => !s.ok)
        .map((s) => ({ at: stepAt(incident, s.at), do: s.do, error: s.error ?? '' })),
    },
    targets: kinds.map((target) => ({
      target,
      actual: actualTargets.find((t) => t.target === target)?.status ?? null,
      replay: report.targets.find((t) => t.target === target)?.verdict ?? null,
    })),
  };
}

function header(incident: Incident, origin: ReplayIncident['origin']) {
  return {
    incident_id: incident.id,
    title: incident.title,
    severity: incident.severity,
    declared_at: incident.declared_at.toISOString(),
    origin,
  };
}

/** The replay side of an alert-born incident the changed plan's rules did not declare. */
const NOT_DECLARED: ReplaySide = {
  plan_version: null,
  declared_severity: null,
  paged: [],
  breached: [],
  metrics: Object.fromEntries(METRICS.map((m) => [m, null])) as ReplaySide['metrics'],
  state: 'not declared',
};

/** A scenario step's time (its wall-clock `at`) as an offset from the incident's declaration. */
function stepAt(incident: Incident, at: string): string {
  return at === '0' ? '+0s' : (offset(incident.declared_at, new Date(at)) ?? at);
}

async function pages(db: Executor, incident: Incident): Promise<ReplayPage[]> {
  return (await q.pagesOf(db, incident.id)).map((p) => ({
    to: p.handle,
    at_offset: offset(incident.declared_at, p.created_at) as string,
    channel: p.channel,
    ...((p.payload as { shadow?: unknown } | null)?.shadow === true ? { shadow: true as const } : {}),
  }));
}

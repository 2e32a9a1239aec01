import { VirtualClock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
import { formatDuration } from '../../lib/duration.ts';
import { approveAction } from '../action-approvals/approve-action.ts';
import { listActionApprovals } from '../action-approvals/list-action-approvals.ts';
import { rejectAction } from '../action-approvals/reject-action.ts';
import { hasDueTasks, remindBeforeMs } from '../action-items/remind-due.ts';
import type { IngestResult } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { type Actor, type Ctx, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { addAffectedUsers } from '../incidents/add-affected-users.ts';
import { addHypothesis } from '../incidents/add-hypothesis.ts';
import { addNote } from '../incidents/add-note.ts';
import { assignRole } from '../incidents/assign-role.ts';
import { changeSeverity } from '../incidents/change-severity.ts';
import { changeType } from '../incidents/change-type.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import type { Incident } from '../incidents/incident.ts';
import { linkIncidents } from '../incidents/link-incidents.ts';
import { mergeIncident } from '../incidents/merge-incident.ts';
import { publishUpdate } from '../incidents/publish-update.ts';
import * as incidents from '../incidents/queries.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { setMitigation } from '../incidents/set-mitigation.ts';
import { movers } from '../incidents/state-permission.ts';
import { computeTargets, type TargetStatus } from '../incidents/targets.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { triageIncident } from '../incidents/triage-incident.ts';
import { updateIncident } from '../incidents/update-incident.ts';
import { applyMaintenanceWindow } from '../maintenance/apply-maintenance-window.ts';
import {
  lifecycleOf,
  loadPlan,
  onStatusPage,
  type Plan,
  type Severity,
  severityOf,
  targetDurations,
  targetsOf,
} from '../plans/plan.ts';
import { savePlan } from '../plans/save-plan.ts';
import { changePostmortemStatus } from '../postmortems/change-postmortem-status.ts';
import { findPostmortem } from '../postmortems/queries.ts';
import { attachedRunbookIds } from '../runbooks/queries.ts';
import * as services from '../services/queries.ts';
import { saveIntegration } from '../services/save-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration, ServiceInput } from '../services/services.ts';
import { confirmSubscription } from '../subscribers/confirm-subscription.ts';
import { subscribe } from '../subscribers/subscribe.ts';
import { approveUpdate } from '../updates/approve-update.ts';
import { cadenceDue, describeCadence, hasCadence } from '../updates/cadence.ts';
import { listUpdates } from '../updates/list-updates.ts';
import { saveUser } from '../users/save-user.ts';
import { notCheckedFields } from './coverage.ts';
import {
  approvalRows,
  type DrillAlertRow,
  type DrillRuleRow,
  dueTaskRows,
  gateRows,
  goalRows,
  notChecked,
  postmortemRow,
  type Recurrence,
  recurrenceRow,
  runbookRows,
  type ShadowRefusal,
  shadowRow,
  urgencyRow,
  verificationRow,
} from './judge.ts';
import { nextDue } from './next-due.ts';
import * as drills from './queries.ts';
import {
  DEFAULT_START,
  defaultScenario,
  drillSeverity,
  type Scenario,
  type ScenarioStep,
  scenarioSchema,
  sortSteps,
  stepOffsetMs,
} from './scenario.ts';

/** A scenario whose steps opened no incident (its alerts were recorded, grouped elsewhere or suppressed). */
export class NeverDeclared extends Error {
  constructor() {
    super('the scenario never declared an incident (nor did an alert open one)');
  }
}

export interface DrillInput {
  planSource: string;
  planFile: string;
  scenario?: Scenario | undefined;
  severity?: string | undefined;
}

export interface DrillTargetRow {
  target: string;
  duration: string;
  due_offset: string;
  due_at: string;
  met_offset: string | null;
  met_at: string | null;
  verdict: TargetStatus;
}

export interface DrillCadenceRow {
  audience: 'internal' | 'external';
  every: string;
  updates: number;
  max_gap: string | null;
  verdict: 'met' | 'breached';
}

export interface DrillReport {
  plan: string;
  plan_version: number;
  /** The severity at the end (a scenario may change it); targets are those of this one. */
  severity: string;
  severity_title: string;
  declared_severity: string;
  /** The incident type at the end (types[].id), null for none. */
  type: string | null;
  /** The code name when the incident ended confidential (confidential.ts), else null. */
  code_name: string | null;
  scenario: string;
  incident_id: string;
  started_at: string;
  ended_at: string;
  targets: DrillTargetRow[];
  cadence: DrillCadenceRow[];
  workflows: { workflow: string; trigger: string; at_offset: string }[];
  breaches_recorded: { target: string; at_offset: string }[];
  /** A step that asked for a gated action opened an approval request: ok, with the 409 as its note. */
  steps: { at: string; do: string; ok: boolean; error?: string; note?: string }[];
  /**
   * Where each published update went: the status page (an external one, per language) and the
   * messages it queued (subscriber emails and webhooks, the incident channel post).
   */
  deliveries: DrillDelivery[];
  /** Every message that would have been sent (a drill delivers nothing). */
  messages: { at_offset: string; channel: string; to: string; text: string; shadow?: true }[];
  /** Workflow firings whose actions failed. */
  action_errors: { workflow: string; at_offset: string; error: string }[];
  /** Goals and the verification window judged, and the rules a drill cannot judge. */
  rules: DrillRuleRow[];
  /** Every acted plan field the plan sets that the drill does not judge, with the reason (coverage.ts). */
  not_checked: { field: string; reason: string }[];
  /** Who held each role when, handovers included. */
  roles: { at_offset: string; role: string; user: string; previous: string | null; how: string }[];
  /** Each alert step: what ingest did with it and what the alert rules decided (declared:ID, …). */
  alerts: DrillAlertRow[];
  /** Every incident the drill opened (by declare or by an alert), first the one the report judges. */
  incidents: {
    id: string;
    opened_offset: string;
    severity: string;
    state: string;
    /** The incident it was merged into (a merge step), else null. */
    merged_into: string | null;
  }[];
  passed: boolean;
}

export type { DrillAlertRow };

export interface DrillDelivery {
  update_id: string;
  audience: 'internal' | 'external';
  at_offset: string;
  /** "status page", or a message channel (email, webhook, chat). */
  to: string;
  destination: string;
  /** The language shown (status page) or sent (a subscriber's); "all" for a post carrying every one. */
  language: string;
  text: string;
}

const MINUTE = 60_000;

/** "+10m" after `from` (or "-2m" before it); null when `to` never happened. */
export function offset(from: Date, to: Date | null | undefined): string | null {
  if (!to) return null;
  const ms = to.getTime() - from.getTime();
  return ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`;
}

/**
 * Checks a drill before anything runs: the plan loads (errors are file:line:col), the scenario is
 * valid, the severity is the plan's. The CLI calls it before it starts a throwaway store.
 */
export function planDrill(input: DrillInput): { plan: Plan; scenario: Scenario; severity: Severity } {
  const loaded = loadPlan(input.planSource, input.planFile);
  if (!loaded.plan) {
    throw new Invalid(
      `the plan is not valid`,
      loaded.errors.map((e) => ({ path: `${e.file}:${e.line}:${e.col}`, message: e.message })),
    );
  }
  const plan = loaded.plan;
  const scenario = scenarioSchema.parse(input.scenario ?? defaultScenario(plan, input.severity));
  const severity = drillSeverity(plan, input.severity ?? scenario.severity);
  return { plan, scenario, severity };
}

/**
 * The engine a drill ticks on its virtual clock. The caller passes the real one (drillEngine in
 * src/engine/drill-engine.ts): the engine runs the domain, so the domain does not import it.
 */
export type DrillEngine = (
  deps: { db: Db; clock: VirtualClock },
  options?: { alerts?: boolean; tasks?: boolean },
) => { runUntilIdle(): Promise<void> };

/**
 * Runs a scripted incident through a plan on a virtual clock, with the real operations and the real
 * engine (workflows, timers) ticking as the clock moves, and reports every target it sets.
 */
export async function runDrill(
  db: Db,
  input: DrillInput,
  startEngine: DrillEngine,
  progress: (message: string) => void = () => {},
): Promise<DrillReport> {
  const { plan, scenario, severity } = planDrill(input);
  const clock = new VirtualClock(scenario.start ?? DEFAULT_START);
  const start = clock.now();
  const system = makeCtx({ db, clock, live: false }, SYSTEM_ACTOR);
  const saved = await savePlan({ ctx: system, input: { source: input.planSource, file: input.planFile } });
  const commander = await drillUser(system, 'drill-commander');
  for (const handle of scenario.users) await drillUser(system, handle);
  for (const reader of scenario.subscribers) await drillSubscriber(system, reader);
  const ctx = makeCtx({ db, clock, live: false }, commander);
  const alerting = scenario.steps.some((s) => s.do === 'alert');
  const integration = alerting ? await drillService(system, scenario, saved.name) : undefined;
  const engine = startEngine({ db, clock }, { alerts: alerting, tasks: hasDueTasks(plan) });
  const steps = sortSteps(scenario.steps, start);
  const offsetOf = (step: ScenarioStep) => stepOffsetMs(step, start);
  const span = Math.max(...steps.map(offsetOf), ...Object.values(targetsMs(plan, severity.id)));
  // A backstop for what no due time predicts (a condition on business hours turning true).
  const granularity = Math.min(60 * MINUTE, Math.max(MINUTE, Math.floor(span / 50)));

  // The incident the report judges (the first one opened) and the latest one, which steps act on.
  let incident: Incident | undefined;
  let current: Incident | undefined;
  const opened: Incident[] = [];
  const shadowRefusals: ShadowRefusal[] = [];
  const alertRows: DrillAlertRow[] = [];
  const recurrences: Recurrence[] = [];
  // The clock jumps to the next step, the next time a timer rule falls due, or one `granularity`
  // on, whichever comes first: each target breach, overdue update and elapsed workflow fires at
  // its own time, and the engine does not tick through empty minutes.
  const advanceTo = async (at: Date, backstop = granularity) => {
    while (clock.now().getTime() < at.getTime()) {
      const now = clock.now();
      const due = current ? await nextDue(db, plan, current.id, now) : Number.POSITIVE_INFINITY;
      clock.set(new Date(Math.min(at.getTime(), now.getTime() + backstop, due)));
      await engine.runUntilIdle();
    }
  };

  // The alert each alert step sent (its id), by row: one the rules decide later opens its incident
  // while the clock runs (a service's grace period), and is picked up then.
  const sentIds: (string | undefined)[] = [];
  const openedBy = async (incidentId: string) => {
    if (!opened.some((i) => i.id === incidentId))
      opened.push((await incidents.findIncident(db, incidentId)) as Incident);
    current = opened.find((i) => i.id === incidentId);
    incident ??= current;
  };
  const catchUp = async () => {
    for (const [i, row] of alertRows.entries()) {
      const id = sentIds[i];
      if (row.incident_id || !id) continue;
      const routed = await drills.alertRouting(db, id);
      if (!routed?.incident_id) continue;
      alertRows[i] = { ...row, routing: routed.routing, incident_id: routed.incident_id };
      await openedBy(routed.incident_id);
    }
  };

  const stepResults: DrillReport['steps'] = [];
  for (const step of steps) {
    await advanceTo(new Date(start.getTime() + offsetOf(step)));
    await catchUp();
    progress(
      `${step.at.padStart(6)} ${step.do}${step.audience ? ` ${step.audience}` : ''}${step.to ? ` → ${step.to}` : ''}`,
    );
    try {
      if (step.do === 'alert') {
        const recurrence = await recurrenceOf(db, step, alertRows, clock.now());
        const sent = await sendAlert(system, integration, step);
        await engine.runUntilIdle();
        const row = await alertRow(db, start, sent, step);
        if (recurrence) recurrences.push({ ...recurrence, row: alertRows.length });
        alertRows.push(row);
        sentIds.push(sent?.alert_id ?? undefined);
        if (row.incident_id) await openedBy(row.incident_id);
      } else if (step.do === 'declare') {
        current = await declareIncident({
          ctx,
          input: {
            title: scenario.title,
            plan: saved.name,
            severity: severity.id,
            ...(scenario.type ? { type: scenario.type } : {}),
            service: scenario.service ?? null,
            customer_facing: scenario.customerFacing,
            labels: scenario.labels,
          },
        });
        opened.push(current);
        incident ??= current;
      } else if (step.do === 'link' || step.do === 'merge') {
        if (!incident) throw new Error('the scenario must open an incident first');
        const note = await acrossStep(
          await actorFor(ctx, system, plan, incident.id, step),
          incident,
          opened,
          step,
        );
        // Once merged, the steps that follow act on the incident that took it over.
        if (step.do === 'merge' && current?.id === incident.id) current = opened[(step.into ?? 0) - 1];
        await engine.runUntilIdle();
        stepResults.push({ at: step.at, do: step.do, ok: true, note });
        continue;
      } else {
        if (!current) throw new Error('the scenario must declare the incident (or raise an alert) first');
        await runStep(ctx, system, plan, current.id, step);
      }
      await engine.runUntilIdle();
      stepResults.push({ at: step.at, do: step.do, ok: true });
    } catch (error) {
      const e = error as Error & { details?: { path: string; message: string }[] };
      if (e.details?.some((d) => d.path === 'approval_request')) {
        // The plan gates the action: asking opened its approval request, as in real life.
        await engine.runUntilIdle();
        stepResults.push({ at: step.at, do: step.do, ok: true, note: e.message });
        continue;
      }
      if (e.details?.some((d) => d.path === 'shadow') && current) {
        // A shadow tried to acknowledge: refused, as in real life; the shadows row judges what followed.
        shadowRefusals.push({ incidentId: current.id, who: step.as ?? 'the commander', at: clock.now() });
        stepResults.push({ at: step.at, do: step.do, ok: true, note: e.message });
        continue;
      }
      const detail = e.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
      stepResults.push({
        at: step.at,
        do: step.do,
        ok: false,
        error: detail ? `${e.message} (${detail})` : e.message,
      });
    }
  }
  await catchUp();
  if (!incident) throw new NeverDeclared();

  // Let every target reach a verdict: run the clock past the last due time if still open.
  const judged = await incidents.findIncident(db, incident.id);
  if (judged && !judged.resolved_at) {
    const lastDue = Math.max(...computeTargets(judged, plan, clock.now()).map((t) => t.due_at.getTime()), 0);
    if (lastDue > clock.now().getTime()) await advanceTo(new Date(lastDue + MINUTE));
  }
  // A post-mortem the scenario left unpublished is judged at its due date: run the clock there, from
  // one due time to the next (the incident is resolved: every timer left is one nextDue predicts).
  const document = await findPostmortem(db, incident.id);
  if (document?.due_at && document.status !== 'published' && document.due_at >= clock.now())
    await advanceTo(new Date(document.due_at.getTime() + MINUTE), Number.POSITIVE_INFINITY);
  await engine.runUntilIdle();
  const final = (await incidents.findIncident(db, incident.id)) as Incident;
  const now = clock.now();
  const declaredAt = final.declared_at;
  const finalSeverity = severityOf(plan, final.severity);
  const written = finalSeverity ? targetsOf(plan, finalSeverity, final.type).targets : {};
  const targets = computeTargets(final, plan, now).map((t) => ({
    target: t.target,
    // As the plan writes it: a business-time target ("3bd") has no fixed wall-clock length.
    duration: written[t.target] ?? formatDuration(t.duration_ms),
    due_offset: offset(declaredAt, t.due_at) as string,
    due_at: t.due_at.toISOString(),
    met_offset: offset(declaredAt, t.met_at),
    met_at: t.met_at?.toISOString() ?? null,
    verdict: t.status,
  }));
  const cadence = await cadenceRows(db, plan, final, now);
  const runs = await drills.workflowRuns(db, final.id);
  const breaches = await drills.targetBreaches(db, final.id);
  const messages = (
    await drills.queuedMessages(
      db,
      opened.map((i) => i.id),
    )
  ).map((m) => ({
    at_offset: offset(declaredAt, m.created_at) as string,
    channel: m.channel,
    to: m.handle ?? m.destination,
    text: String((m.payload as { text?: unknown } | null)?.text ?? ''),
    // A shadow's copy of a page (escalationPolicies[].steps[].shadows): training, it cannot acknowledge.
    ...((m.payload as { shadow?: unknown } | null)?.shadow === true ? { shadow: true as const } : {}),
  }));
  const actionErrors = (await drills.failedRuns(db, final.id)).map((r) => ({
    workflow: r.workflow,
    at_offset: offset(declaredAt, r.fired_at) as string,
    error: (r.actions as { error?: string }[])
      .map((a) => a.error)
      .filter(Boolean)
      .join('; '),
  }));
  const roles = (await drills.roleEvents(db, final.id)).map((e) => {
    const d = e.data as {
      role?: string;
      user?: string;
      previous?: string | null;
      from?: string;
      handover?: string;
    };
    return {
      at_offset: offset(declaredAt, e.at) as string,
      role: String(d.role ?? ''),
      user: String(d.user ?? ''),
      previous: d.previous ?? null,
      how: d.handover ?? (d.from ? `automatically, from ${d.from}` : 'by hand'),
    };
  });
  const updates = await drills.updatesWithReviews(db, final.id);
  const deliveries = deliveriesOf(
    plan,
    final,
    updates,
    await drills.messagesOfUpdates(db, final.id),
    (at) => offset(declaredAt, at) as string,
  );
  const verification = verificationRow(plan, final, await drills.stateEvents(db, final.id));
  const runbooks = runbookRows(plan, final, await attachedRunbookIds(db, final.id));
  const dueTasks = dueTaskRows(remindBeforeMs(plan), await drills.dueItems(db, final.id), now);
  const postmortem = postmortemRow(plan, final, (await findPostmortem(db, final.id)) ?? null, now, (at) =>
    offset(declaredAt, at),
  );
  const rules = [
    ...goalRows(plan, final),
    ...(postmortem ? [postmortem] : []),
    ...(verification ? [verification] : []),
    ...runbooks,
    ...dueTasks,
    ...gateRows(plan, await listActionApprovals({ ctx: system, input: { incidentId: final.id } })),
    ...approvalRows(plan, updates, (at) => offset(declaredAt, at) as string),
    ...recurrences.map((r) => recurrenceRow(plan, r, alertRows[r.row] as DrillAlertRow)),
    ...(await urgencyRows(db, opened)),
    ...(await shadowRows(db, shadowRefusals, (at) => offset(declaredAt, at) as string)),
    ...notChecked(plan),
  ];
  const openedRows = await Promise.all(
    opened.map(async (i) => {
      const row = (await incidents.findIncident(db, i.id)) as Incident;
      return {
        id: row.id,
        opened_offset: offset(start, row.declared_at) as string,
        severity: row.severity,
        state: row.state,
        merged_into: row.merged_into,
      };
    }),
  );
  const passed =
    rules.every((r) => !r.counts || r.verdict !== 'breached') &&
    actionErrors.length === 0 &&
    stepResults.every((s) => s.ok) &&
    targets.every((t) => t.verdict === 'met') &&
    cadence.every((c) => c.verdict === 'met');
  return {
    plan: saved.name,
    plan_version: saved.version,
    severity: final.severity,
    severity_title: drillSeverity(plan, final.severity).title,
    declared_severity: incident.severity,
    type: final.type,
    code_name: final.confidential ? final.code_name : null,
    scenario: scenario.metadata?.name ?? 'scenario',
    incident_id: final.id,
    started_at: start.toISOString(),
    ended_at: now.toISOString(),
    targets,
    cadence,
    workflows: runs.map((r) => ({
      workflow: r.workflow,
      trigger: r.trigger_key,
      at_offset: offset(declaredAt, r.fired_at) as string,
    })),
    breaches_recorded: breaches.map((b) => ({
      target: b.target,
      at_offset: offset(declaredAt, b.breached_at) as string,
    })),
    steps: stepResults,
    deliveries,
    messages,
    action_errors: actionErrors,
    rules,
    not_checked: notCheckedFields(plan),
    roles,
    alerts: alertRows,
    incidents: openedRows,
    passed,
  };
}

/** The urgency row of each low-urgency incident the drill opened, as it ended. */
async function urgencyRows(db: Db, opened: Incident[]): Promise<DrillRuleRow[]> {
  const rows = await Promise.all(
    opened.map(async (i) => {
      const row = (await incidents.findIncident(db, i.id)) as Incident;
      return urgencyRow(row, await drills.pagesOf(db, row.id));
    }),
  );
  return rows.flat();
}

/** Each shadow's refused acknowledgement, judged against the incident and the pages after it. */
async function shadowRows(
  db: Db,
  refusals: ShadowRefusal[],
  at: (d: Date) => string,
): Promise<DrillRuleRow[]> {
  return Promise.all(
    refusals.map(async (r) => {
      const incident = (await incidents.findIncident(db, r.incidentId)) as Incident;
      const pagedAfter = (await drills.queuedMessages(db, [r.incidentId]))
        .filter((m) => m.created_at > r.at && (m.payload as { shadow?: unknown } | null)?.shadow !== true)
        .map((m) => ({ at: m.created_at, to: m.handle ?? m.destination }));
      return shadowRow(r, incident, pagedAfter, at);
    }),
  );
}

/** Where each published update went, in publication order: the status page first, then its messages. */
function deliveriesOf(
  plan: Plan,
  incident: Incident,
  updates: Awaited<ReturnType<typeof drills.updatesWithReviews>>,
  messages: Awaited<ReturnType<typeof drills.messagesOfUpdates>>,
  offsetOf: (at: Date) => string,
): DrillDelivery[] {
  const shown = onStatusPage(plan, incident);
  return updates
    .filter((u) => u.published_at !== null)
    .sort((a, b) => (a.published_at as Date).getTime() - (b.published_at as Date).getTime())
    .flatMap((u) => {
      const base = { update_id: u.id, audience: u.audience, at_offset: offsetOf(u.published_at as Date) };
      const bodies = u.bodies as Record<string, string>;
      const languages = [...new Set([...plan.languages, ...Object.keys(bodies)])].filter((l) => bodies[l]);
      const page =
        u.audience === 'external'
          ? languages.map((language) => ({
              ...base,
              to: 'status page',
              destination: shown ? '/status' : `not shown (statusPage.when: ${plan.statusPage.when})`,
              language,
              text: bodies[language] ?? '',
            }))
          : [];
      const sent = messages
        .filter((m) => m.updateId === u.id)
        .map((m) => {
          const payload = (m.payload ?? {}) as { subject?: unknown; text?: unknown; language?: unknown };
          return {
            ...base,
            to: m.channel,
            destination: m.destination,
            language: typeof payload.language === 'string' ? payload.language : 'all',
            text: String(payload.text ?? payload.subject ?? ''),
          };
        });
      return [...page, ...sent];
    });
}

/**
 * A link or merge step: the drill's incident linked with, or merged into, the Nth incident the drill
 * opened, through the real operations. Answers the note the report shows for the step.
 */
async function acrossStep(
  ctx: Ctx,
  incident: Incident,
  opened: Incident[],
  step: ScenarioStep,
): Promise<string> {
  const n = step.do === 'merge' ? step.into : step.with;
  const other = n === undefined ? undefined : opened[n - 1];
  if (!other) throw new Error(`${step.do}: the drill opened ${opened.length} incident(s), not ${n}`);
  if (step.do === 'merge') {
    await mergeIncident({ ctx, input: { incidentId: incident.id, into: other.id, reason: step.text } });
    return `incident #${incident.id} merged into #${other.id}`;
  }
  await linkIncidents({ ctx, input: { incidentId: incident.id, otherId: other.id } });
  return `incident #${incident.id} linked with #${other.id}`;
}

/**
 * The drill's service (the scenario's, else "drill") under the drill's plan, and its integration. A
 * service already in the store (a what-if replay copies the live ones) keeps its team, escalation
 * policy and rules unless the scenario gives rules; it is put under the drill's plan either way.
 */
async function drillService(system: Ctx, scenario: Scenario, plan: string): Promise<Integration> {
  const name = scenario.service ?? 'drill';
  const copied = await services.findServiceWithTeam(system.db, name);
  const kept =
    copied && !scenario.serviceRules
      ? {
          description: copied.description,
          team: copied.team,
          escalation_policy: copied.escalation_policy,
          rules: copied.rules as ServiceInput['rules'],
        }
      : { rules: scenario.serviceRules ?? {} };
  await saveService({ ctx: system, input: { service: { name, plan, ...kept }, mode: 'upsert' } });
  // The scenario's maintenance windows, through the same operation as `tocsin apply`.
  for (const [i, spec] of scenario.maintenance.entries()) {
    await applyMaintenanceWindow({
      ctx: system,
      input: { name: `drill-window-${i + 1}`, spec, file: 'drill scenario' },
    });
  }
  // Upserted: a replay runs one drill per incident in one store, each on the service's "drill" integration.
  const { item } = await saveIntegration({
    ctx: system,
    input: { integration: { service: name, type: 'pagerduty', name: 'drill' }, mode: 'upsert' },
  });
  return item;
}

/** Sends an alert step through the real ingest operation, as a monitoring tool would. */
async function sendAlert(
  system: Ctx,
  integration: Integration | undefined,
  step: ScenarioStep,
): Promise<IngestResult | undefined> {
  const alert = step.alert;
  if (!alert || !integration) throw new Error('alert: `alert: {key: …}` is required');
  const [result] = await ingestAlertEvents({
    ctx: system,
    input: {
      integration,
      events: [
        {
          action: alert.action,
          dedupKey: alert.key,
          summary: alert.summary ?? step.text ?? alert.key,
          severity: alert.severity,
          labels: alert.labels ?? {},
          source: 'drill',
          raw: { drill: true, key: alert.key },
        },
      ],
    },
  });
  return result;
}

/**
 * A trigger of a key whose incident is resolved by now: a recurrence, which lifecycle.reopenWithin
 * decides (reopen that incident, or open a new one). Read before the alert is sent.
 */
async function recurrenceOf(
  db: Db,
  step: ScenarioStep,
  rows: DrillAlertRow[],
  now: Date,
): Promise<Omit<Recurrence, 'row'> | undefined> {
  if (step.alert?.action !== 'trigger') return undefined;
  const fed = rows.findLast((r) => r.key === step.alert?.key && r.incident_id)?.incident_id;
  const before = fed ? await incidents.findIncident(db, fed) : undefined;
  if (!before?.resolved_at) return undefined;
  return { incidentId: before.id, resolvedAt: before.resolved_at, at: now };
}

async function alertRow(
  db: Db,
  start: Date,
  sent: IngestResult | undefined,
  step: ScenarioStep,
): Promise<DrillAlertRow> {
  const routed = sent?.alert_id ? await drills.alertRouting(db, sent.alert_id) : undefined;
  return {
    at_offset: offset(start, new Date(start.getTime() + stepOffsetMs(step, start))) as string,
    key: step.alert?.key ?? '',
    action: step.alert?.action ?? 'trigger',
    outcome: sent?.outcome ?? 'ignored',
    routing: routed?.routing ?? null,
    incident_id: routed?.incident_id ?? null,
  };
}

function targetsMs(plan: Plan, severityId: string): Record<string, number> {
  return targetDurations(plan, drillSeverity(plan, severityId));
}

/** A status page reader subscribed as one would be: subscribe, then follow the confirmation link. */
async function drillSubscriber(system: Ctx, reader: Scenario['subscribers'][number]): Promise<void> {
  await subscribe({
    ctx: system,
    input: {
      email: reader.email,
      ...(reader.language ? { language: reader.language } : {}),
      ip: '127.0.0.1',
    },
  });
  const link = await drills.confirmationLink(system.db, reader.email.toLowerCase());
  const token = link ? new URL(link).searchParams.get('token') : null;
  if (!token) throw new Error(`subscriber ${reader.email}: no confirmation link was queued`);
  await confirmSubscription({ ctx: system, input: { token } });
}

async function drillUser(system: Ctx, handle: string): Promise<Actor> {
  const { item } = await saveUser({
    ctx: system,
    input: {
      // An address on a reserved domain: a page to a drill user shows up among the messages that
      // would have been sent (a drill delivers nothing).
      user: {
        handle,
        name: handle,
        email: `${handle}@drill.invalid`,
        role: 'admin',
        leadership: true,
        time_zone: 'UTC',
      },
      mode: 'upsert',
    },
  });
  return { kind: 'user', userId: item.id, name: item.handle, role: item.role, leadership: item.leadership };
}

/**
 * Who acts in a step: the person it names (`as`), else for a move into a state that only some may
 * enter (lifecycle.states[].by) whoever holds the first such role, else the drill commander.
 */
async function actorFor(
  ctx: Ctx,
  system: Ctx,
  plan: Plan,
  incidentId: string,
  step: ScenarioStep,
): Promise<Ctx> {
  if (step.as)
    return makeCtx({ db: ctx.db, clock: ctx.clock, live: false }, await drillUser(system, step.as));
  const to =
    step.do === 'resolve' ? lifecycleOf(plan).resolved : step.do === 'transition' ? step.to : undefined;
  if (!to) return ctx;
  const roles = await incidents.listRoles(ctx.db, incidentId);
  const holder = movers(plan, to)
    .map((who) => roles.find((r) => r.role === who))
    .find((r) => r !== undefined);
  return holder
    ? makeCtx({ db: ctx.db, clock: ctx.clock, live: false }, await drillUser(system, holder.user))
    : ctx;
}

async function runStep(
  commander: Ctx,
  system: Ctx,
  plan: Plan,
  incidentId: string,
  step: ScenarioStep,
): Promise<void> {
  const ctx = await actorFor(commander, system, plan, incidentId, step);
  switch (step.do) {
    case 'acknowledge':
      await acknowledgeIncident({ ctx, input: { incidentId } });
      return;
    case 'triage':
      await triageIncident({ ctx, input: { incidentId } });
      return;
    case 'assign': {
      const role = step.role ?? plan.roles[0]?.id;
      if (!role) throw new Error('assign: the plan has no roles');
      const user = step.user ?? `drill-${role}`.slice(0, 60);
      await drillUser(system, user);
      await assignRole({ ctx, input: { incidentId, role, user } });
      return;
    }
    case 'update': {
      const text = step.text ?? `Drill ${step.audience ?? 'internal'} update`;
      // Texts per language go as written: publishing refuses an external one missing a plan language.
      const bodies = step.texts ?? Object.fromEntries(plan.languages.map((l) => [l, `${text} (${l})`]));
      const next = step.nextUpdate ? { next_update: step.nextUpdate } : {};
      await publishUpdate({
        ctx,
        input: { incidentId, audience: step.audience ?? 'internal', bodies, ...next },
      });
      return;
    }
    case 'reject':
    case 'approve': {
      const user = step.user ?? 'drill-approver';
      const actor = makeCtx(
        { db: system.db, clock: system.clock, live: false },
        await drillUser(system, user),
      );
      const gated = (await listActionApprovals({ ctx: system, input: { incidentId } }))
        .filter((r) => r.status === 'pending')
        .at(-1);
      if (gated) {
        const decide = step.do === 'approve' ? approveAction : rejectAction;
        await decide({ ctx: actor, input: { incidentId, requestId: gated.id, comment: step.text } });
        return;
      }
      if (step.do === 'reject') throw new Error('reject: no action approval request is pending');
      const waiting = (await listUpdates({ ctx: system, input: { incidentId } })).filter(
        (u) => u.status === 'pending_approval',
      );
      const latest = waiting.at(-1);
      if (!latest) throw new Error('approve: no update waits for approval');
      await approveUpdate({ ctx: actor, input: { incidentId, updateId: latest.id, as: step.role } });
      return;
    }
    case 'transition':
      if (!step.to) throw new Error('transition: `to` is required');
      await transitionIncident({ ctx, input: { incidentId, to: step.to } });
      return;
    case 'severity':
      if (!step.to) throw new Error('severity: `to` is required');
      await changeSeverity({ ctx, input: { incidentId, severity: step.to, reason: step.text ?? 'drill' } });
      return;
    case 'type':
      if (!step.to) throw new Error('type: `to` is required (a type of the plan, or none)');
      await changeType({
        ctx,
        input: { incidentId, type: step.to === 'none' ? null : step.to, reason: step.text ?? 'drill' },
      });
      return;
    case 'mitigate':
      await setMitigation({
        ctx,
        input: {
          incidentId,
          steps: [step.text ?? 'Roll back the last deploy'],
          risk: 'low: the previous release ran for weeks',
          rollback: 'Redeploy the rolled-back release',
          agreed_by: [ctx.actor.name],
          mitigated: true,
        },
      });
      return;
    case 'hypothesis':
      await addHypothesis({
        ctx,
        input: { incidentId, statement: step.text ?? 'A recent change caused it' },
      });
      return;
    case 'note':
      await addNote({ ctx, input: { incidentId, text: step.text ?? 'drill note' } });
      return;
    case 'affected':
      await addAffectedUsers({ ctx, input: { incidentId, emails: step.emails ?? ['customer@example.com'] } });
      return;
    case 'resolve': {
      const life = lifecycleOf(plan);
      const now = await incidents.findIncident(ctx.db, incidentId);
      if (now?.state !== life.resolved)
        await resolveIncident({ ctx, input: { incidentId, resolution: step.text ?? 'drill over' } });
      return;
    }
    case 'set':
      await updateIncident({
        ctx,
        input: {
          incidentId,
          ...(step.fields ? { fields: step.fields } : {}),
          ...(step.labels ? { labels: step.labels } : {}),
        },
      });
      return;
    case 'postmortem': {
      // Through review to published (or only to review): the moves a team makes on the document.
      const to = step.to ?? 'published';
      if (to !== 'in_review' && to !== 'published')
        throw new Error('postmortem: `to` is in_review or published');
      const now = await findPostmortem(ctx.db, incidentId);
      if (!now) throw new Error('postmortem: the incident has no post-mortem (the plan did not require one)');
      if (now.status === 'draft')
        await changePostmortemStatus({ ctx, input: { incidentId, to: 'in_review' } });
      if (to === 'published') await changePostmortemStatus({ ctx, input: { incidentId, to } });
      return;
    }
    case 'wait':
      // Only the clock moves (to this step's time): timers that outlive resolution get their turn.
      return;
    case 'declare':
      throw new Error('the incident is already declared');
    case 'link':
    case 'merge':
      throw new Error(`${step.do}: runDrill does it (it knows the incidents the drill opened)`);
  }
}

/**
 * Each audience with a cadence: the longest stretch without a published update while open, and
 * whether an update came later than the cadence in force (by state and age) allowed.
 */
async function cadenceRows(db: Db, plan: Plan, incident: Incident, now: Date): Promise<DrillCadenceRow[]> {
  const severity = drillSeverity(plan, incident.severity);
  const updates = await drills.publishedUpdates(db, incident.id);
  const states = statePieces(plan, incident, await drills.stateEvents(db, incident.id));
  const end = incident.resolved_at ?? now;
  const rows: DrillCadenceRow[] = [];
  for (const audience of ['internal', 'external'] as const) {
    if (!hasCadence(severity.cadence, audience)) continue;
    const published = updates.filter(
      (u) => u.audience === audience && u.published_at && u.published_at.getTime() <= end.getTime(),
    );
    const times = published.map((u) => (u.published_at as Date).getTime());
    // What each update's author promised for the next one ("next update at"), by its time.
    const promised = new Map(published.map((u) => [(u.published_at as Date).getTime(), u.next_update_at]));
    // Counted from declaration, as the engine's overdue timer counts it, so the verdict agrees with
    // the update.overdue events the incident records.
    const marks = [incident.declared_at.getTime(), ...times, end.getTime()];
    let maxGap = 0;
    let late = false;
    for (let i = 1; i < marks.length; i++) {
      const [from, to] = [marks[i - 1] as number, marks[i] as number];
      maxGap = Math.max(maxGap, to - from);
      late ||= lateWithin(plan, incident, audience, states, from, to, promised.get(from) ?? null);
    }
    rows.push({
      audience,
      every: describeCadence(severity.cadence, audience),
      updates: times.length,
      max_gap: formatDuration(maxGap),
      verdict: late ? 'breached' : 'met',
    });
  }
  return rows;
}

interface StatePiece {
  state: string;
  from: number;
}

/** The incident's states over time, from its state changes. */
function statePieces(plan: Plan, incident: Incident, events: { at: Date; data: unknown }[]): StatePiece[] {
  const pieces: StatePiece[] = [{ state: lifecycleOf(plan).initial, from: incident.declared_at.getTime() }];
  for (const e of events) {
    const to = (e.data as { to?: unknown }).to;
    if (typeof to === 'string') pieces.push({ state: to, from: e.at.getTime() });
  }
  return pieces;
}

/** Whether, after an update at `from` and before the next at `to`, the cadence in force fell due. */
function lateWithin(
  plan: Plan,
  incident: Incident,
  audience: 'internal' | 'external',
  pieces: StatePiece[],
  from: number,
  to: number,
  promised: Date | null,
): boolean {
  return pieces.some((piece, i) => {
    const start = Math.max(piece.from, from);
    const stop = Math.min(pieces[i + 1]?.from ?? Number.POSITIVE_INFINITY, to);
    if (start >= stop) return false;
    const due = cadenceDue(
      plan,
      {
        severity: incident.severity,
        declared_at: incident.declared_at,
        state: piece.state,
        state_entered_at: new Date(piece.from),
        last_update_at: { internal: null, external: null, [audience]: new Date(from) },
        next_update_at: { internal: null, external: null, [audience]: promised },
      },
      audience,
    )?.due.getTime();
    return due !== undefined && due < stop;
  });
}

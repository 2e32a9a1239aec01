import { txMemo } from '../../db/tx-memo.ts';
import { announceEvent } from '../chat/announcements.ts';
import { postEventToIncidentChannel } from '../chat/incident-channel.ts';
import { linkBase } from '../paging/page-from-plan.ts';
import * as paging from '../paging/queries.ts';
import { firstAlertKey } from '../paging/run-step.ts';
import type { Plan } from '../plans/plan.ts';
import { loadSnapshots, type WorkflowEnv } from './engine-env.ts';
import { chainDepth, type Firing, safeEvaluate } from './evaluate.ts';
import { type Claimed, claimFirings, fire, firingsOf } from './fire.ts';
import { fireTimersFor } from './fire-workflow-timers.ts';
import type { ClaimedEvent } from './queries.ts';
import * as q from './queries.ts';
import { prefetchVars } from './render.ts';
import type { IncidentSnapshot } from './snapshot.ts';
import { EVENT_TRIGGERS } from './workflow-schema.ts';

// Pages start inside this transaction (src/domain/paging): every page of a batch waits for the whole
// batch to commit, so batches stay small enough to commit within a fraction of a second under load
// (bench/paging.ts: 500-event batches took 2–3 s on a busy 2-core machine).
export const EVENT_BATCH = 100;
/**
 * The runaway cap: at most this many firings per incident per hour. Well above what a plan's
 * workflows do in a real incident, it stops a feedback loop the chain-depth guard cannot see.
 */
export const MAX_RUNS_PER_INCIDENT_PER_HOUR = 200;
const HOUR_MS = 3_600_000;
const TRIGGERS = new Set<string>(EVENT_TRIGGERS);

/**
 * Consumes a batch of unprocessed timeline events in id order: each event that is a workflow trigger
 * is evaluated against its incident's own plan version and the matching rules fire. Events the
 * actions append are left for a later pass. Returns how many events were consumed.
 */
export async function processWorkflowEvents(env: WorkflowEnv, batch = EVENT_BATCH): Promise<number> {
  const claimed = await q.claimEvents(env.tx, batch, env.now);
  // A full claim may have left events behind: the engine runs the module again at once.
  if (claimed.length === batch) env.more?.();
  // Marked processed by the claim. Only the kinds plans can trigger on (which are also every kind the
  // incident channel and the announcements post) and the events of resolved incidents (their late
  // targets) need the incidents and plans: the paging and firing records the engine appends
  // (paging.started, paging.step, workflow.fired, …) cost the claim alone.
  const heard = claimed.filter((e) => TRIGGERS.has(e.kind) || e.resolved);
  if (heard.length > 0) await firingsOf({ ...env, claimed: true }, (run) => fireEvents(run, heard));
  // Nothing fired and the queue is drained: no work this tick left behind (what other commits add
  // comes with its own wake-up), so the engine need not run the module again at once to find out.
  if (heard.length === 0 && claimed.length < batch) return 0;
  return claimed.length;
}

/**
 * At most this many incidents have their workflows run in the transaction that declared them; the
 * rest of a storm's are left to processWorkflowEvents, so the declaring transaction (and every page
 * it holds) commits within a batch's time.
 */
export const DECLARED_BATCH = EVENT_BATCH / 2;

/**
 * Runs the workflows of incidents declared in the caller's transaction — the plan's first pages among
 * them — in that transaction, instead of after its commit in the workflow-events module's next pass.
 * The same consumption as processWorkflowEvents, limited to these incidents' events: they are all
 * this transaction's (the incidents did not exist before it), so every one of an incident's events
 * is taken, in order, and marked processed with the firings it caused; the workflow_runs claim keeps
 * each firing once. Events the actions append are left for the workflow-events module, as there.
 */
export async function processDeclaredIncidentEvents(
  env: WorkflowEnv,
  incidentIds: string[],
): Promise<number> {
  const ids = incidentIds.slice(0, DECLARED_BATCH);
  if (ids.length === 0) return 0;
  // Their pages name each incident's first alert: read for all of them at once (db/tx-memo.ts).
  const memo = txMemo(env.tx);
  if (memo && ids.length > 1) {
    const first = await paging.firstAlertsOf(env.tx, ids);
    for (const id of ids) memo.set(firstAlertKey(id), first.get(id));
  }
  const events = await q.claimEventsOfIncidents(env.tx, ids, env.now);
  if (events.length > 0) await firingsOf({ ...env, claimed: true }, (run) => fireEvents(run, events));
  return events.length;
}

async function fireEvents(
  env: WorkflowEnv,
  events: Awaited<ReturnType<typeof q.claimEventsOfIncidents>>,
): Promise<void> {
  const { tx, now } = env;
  const ids = [...new Set(events.map((e) => String(e.incident_id)))];
  const incidents = await loadSnapshots(tx, await q.findIncidents(tx, ids), env.plans);
  const runs = await q.runCountsSince(tx, ids, new Date(now.getTime() - HOUR_MS));
  const plans = new Map<string, Plan>();
  for (const i of incidents.values()) plans.set(i.id, await env.plans.get(tx, i.plan_name, i.plan_version));
  // Each incident's events are evaluated in order up to its first one that fires a workflow: until
  // then none of its actions ran, so these evaluations are what the loop below would make (it uses
  // them). That first firing of each incident is claimed for all of them in one statement (in a
  // batch without a savepoint per firing), and the facts its texts render from are read for all of
  // them in one statement, instead of one of each per incident.
  const evaluated = new Map<string, Firing[]>();
  const firsts: { incident: IncidentSnapshot; event: string; firing: Firing; chain: number }[] = [];
  const firstOf = new Set<string>();
  for (const event of events) {
    const incident = incidents.get(String(event.incident_id));
    const plan = incident && plans.get(incident.id);
    if (!incident || !plan || firstOf.has(incident.id) || !TRIGGERS.has(event.kind)) continue;
    const firings = safeEvaluate(env, { plan, incident, trigger: triggerOf(event), now });
    evaluated.set(String(event.id), firings);
    const first = firings[0];
    if (!first) continue;
    firstOf.add(incident.id);
    // Past the runaway cap the loop below fires nothing for this incident: nothing to claim.
    if ((runs.get(incident.id) ?? 0) >= MAX_RUNS_PER_INCIDENT_PER_HOUR) continue;
    const chain = chainDepth(event.data ?? {}) + 1;
    firsts.push({ incident, event: String(event.id), firing: first, chain });
  }
  const claims = new Map<Firing, Claimed>();
  if (env.isolate === false && firsts.length > 1) {
    const claimed = await claimFirings(env, firsts);
    for (const [i, f] of firsts.entries()) claims.set(f.firing, claimed[i] as Claimed);
  }
  // The incidents this transaction declared, and those with a firing, render their first firings
  // from facts read at once.
  const memo = txMemo(tx);
  const prefetch = new Map<string, { id: string; plan: Plan; updateId?: string | undefined }>();
  for (const i of incidents.values())
    if (memo?.newIncidents.has(i.id)) prefetch.set(i.id, { id: i.id, plan: plans.get(i.id) as Plan });
  for (const f of firsts)
    prefetch.set(f.incident.id, {
      id: f.incident.id,
      plan: plans.get(f.incident.id) as Plan,
      updateId: f.firing.facts.update_id,
    });
  const forget = await prefetchVars(tx, [...prefetch.values()]);
  for (const event of events) {
    const incident = incidents.get(String(event.incident_id));
    const plan = incident && plans.get(incident.id);
    if (!incident || !plan) continue;
    // The incident's own chat channel and the plan's announcement channels hear of key events
    // before the workflows react to them.
    const chat = { tx, now, url: (id: string) => `${linkBase()}/incidents/${id}` };
    const said = {
      ...event,
      id: String(event.id),
      actor_id: event.actor_id === null ? null : String(event.actor_id),
    };
    await postEventToIncidentChannel(chat, plan, incident, said);
    await announceEvent(chat, plan, incident, said);
    if (!TRIGGERS.has(event.kind)) continue;
    const data = event.data ?? {};
    const firings =
      evaluated.get(String(event.id)) ??
      safeEvaluate(env, { plan, incident, trigger: triggerOf(event), now });
    for (const firing of firings) {
      const count = runs.get(incident.id) ?? 0;
      if (count >= MAX_RUNS_PER_INCIDENT_PER_HOUR) {
        env.log?.warn({ incident: incident.id, event: event.id }, 'workflow runaway cap reached; not firing');
        break;
      }
      const outcome = await fire(env, plan, incident, firing, chainDepth(data) + 1, claims.get(firing));
      if (outcome !== 'already') runs.set(incident.id, count + 1);
    }
  }
  forget();
  // Timers stop at resolution, so a resolved incident's late targets (met after their due time, or
  // resolved unmet) are settled here, from the resolve event or any later one.
  const resolved = [...incidents.values()].filter((i) => i.resolved_at);
  if (resolved.length > 0) await fireTimersFor(env, resolved);
}

function triggerOf(event: ClaimedEvent) {
  const data = event.data ?? {};
  return { kind: 'event' as const, eventId: String(event.id), event: event.kind, data };
}

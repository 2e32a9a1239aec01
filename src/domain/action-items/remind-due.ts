import type { Executor } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { pageFromPlan } from '../paging/page-from-plan.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { commanderRoleOf, type Plan } from '../plans/plan.ts';
import { MAX_TASK_REMIND_BEFORE_MS, TASK_REMIND_BEFORE } from '../plans/plan-schema.ts';
import * as q from './queries.ts';

// Due times of tasks and action items (issue 11 §1), run by the engine module
// `action-item-reminders` under its advisory lock: the owner is reminded once before the item is due
// (the incident plan's tasks.remindBefore), and once it is overdue the plan's tasks.escalateTo is
// paged, once. Both marks are cleared when the due time changes (update-action-item.ts); the outbox
// dedup key and the paging source hold even if two passes met.

const BATCH = 200;

type Item = Awaited<ReturnType<typeof q.claimDueSoon>>[number];

const noun = (item: Pick<Item, 'kind'>) => (item.kind === 'task' ? 'task' : 'action item');

/** The incident's plan version, read once per pass. */
function planReader(tx: Executor) {
  const plans = new Map<
    string,
    { incident: NonNullable<Awaited<ReturnType<typeof incidents.findIncident>>>; plan: Plan } | null
  >();
  return async (incidentId: string | null) => {
    if (!incidentId) return null;
    if (!plans.has(incidentId)) {
      const incident = await incidents.findIncident(tx, incidentId);
      const plan = incident
        ? (await loadPlanVersion(tx, incident.plan_name, incident.plan_version)).plan
        : undefined;
      plans.set(incidentId, incident && plan ? { incident, plan } : null);
    }
    return plans.get(incidentId) ?? null;
  };
}

export function remindBeforeMs(plan: Plan | undefined): number {
  return parseDuration(plan?.tasks?.remindBefore ?? TASK_REMIND_BEFORE);
}

/**
 * Whether a plan gives its incidents tasks with due times to remind of: it sets `tasks`, or a
 * workflow adds a task with a due time (a drill then runs the reminders module).
 */
export function hasDueTasks(plan: Plan): boolean {
  if (plan.tasks) return true;
  return plan.workflows.some((w) =>
    w.then.some((a) => 'addTask' in a && typeof a.addTask === 'object' && a.addTask.due !== undefined),
  );
}

/** A plan target as a notification address: a role's holder, a group, or a person. */
function notifyDestination(target: string, plan: Plan): string {
  if (/^(user|group|role|team|schedule):/.test(target)) return target;
  return plan.roles.some((r) => r.id === target) ? `role:${target}` : `group:${target}`;
}

/** Reminds owners of items soon due; returns how many it decided (reminded or passed over). */
async function remindSoonDue(tx: Executor, now: Date, read: ReturnType<typeof planReader>): Promise<number> {
  const horizon = new Date(now.getTime() + MAX_TASK_REMIND_BEFORE_MS);
  let decided = 0;
  for (const item of await q.claimDueSoon(tx, now, horizon, BATCH)) {
    if (!item.due_at) continue;
    const found = await read(item.incident_id);
    const remindAt = item.due_at.getTime() - remindBeforeMs(found?.plan);
    if (remindAt > now.getTime()) continue;
    decided++;
    const to = item.owner ? `user:${item.owner}` : item.team ? `group:${item.team}` : undefined;
    // Given (or moved) to a due time already inside the window: its owner has just heard of it.
    if (to && item.created_at.getTime() < remindAt) {
      await enqueueNotification(
        tx,
        {
          incidentId: item.incident_id,
          channel: 'auto',
          destination: to,
          payload: {
            kind: 'notify',
            subject: `Due soon: ${item.title}`,
            text: `The ${noun(item)} #${item.id} "${item.title}" is due ${item.due_at.toISOString()}.`,
          },
          dedupKey: `task-due-soon:${item.id}:${item.due_at.toISOString()}`,
        },
        now,
      );
      if (item.incident_id) {
        await incidents.appendEvent(tx, {
          incidentId: item.incident_id,
          kind: EVENT_KINDS.taskDueSoon,
          at: now,
          actor: SYSTEM_ACTOR,
          data: {
            action_item_id: item.id,
            kind: item.kind,
            title: item.title,
            due_at: item.due_at,
            reminded: to,
          },
        });
      }
    }
    await q.markDueReminded(tx, item.id, now);
  }
  return decided;
}

/** Pages the plan's tasks.escalateTo (default: the commander role) for each newly overdue item. */
async function escalateOverdue(
  tx: Executor,
  now: Date,
  read: ReturnType<typeof planReader>,
): Promise<number> {
  const overdue = await q.claimOverdueUnescalated(tx, now, BATCH);
  for (const item of overdue) {
    const found = await read(item.incident_id);
    if (found && item.incident_id && item.due_at) {
      const commander = commanderRoleOf(found.plan);
      const who = found.plan.tasks?.escalateTo.length
        ? found.plan.tasks.escalateTo
        : commander
          ? [commander]
          : [];
      const message = `Overdue ${noun(item)} #${item.id} "${item.title}" (owner ${item.owner ?? 'none'}) was due ${item.due_at.toISOString()}.`;
      // Open: paged like any escalation. Resolved (a follow-up outliving the incident): notified,
      // since paging a closed incident's responders at night for a follow-up is not what plans mean.
      const escalation =
        who.length > 0 && !found.incident.resolved_at
          ? await pageFromPlan(tx, {
              incident: found.incident,
              plan: found.plan,
              who,
              channels: [],
              kind: 'paging',
              servicePolicy: false,
              source: `task-overdue:${item.id}`,
              message,
              now,
            })
          : undefined;
      if (found.incident.resolved_at) {
        for (const target of who) {
          await enqueueNotification(
            tx,
            {
              incidentId: item.incident_id,
              channel: 'auto',
              destination: notifyDestination(target, found.plan),
              payload: { kind: 'notify', subject: `Overdue ${noun(item)}: ${item.title}`, text: message },
              dedupKey: `task-overdue:${item.id}:${item.due_at.toISOString()}:${target}`,
            },
            now,
          );
        }
      }
      await incidents.appendEvent(tx, {
        incidentId: item.incident_id,
        kind: EVENT_KINDS.taskOverdue,
        at: now,
        actor: SYSTEM_ACTOR,
        data: {
          action_item_id: item.id,
          kind: item.kind,
          title: item.title,
          due_at: item.due_at,
          escalated_to: who,
          escalation_id: escalation?.id ?? null,
        },
      });
    }
    await q.markOverdueEscalated(tx, item.id, now);
  }
  return overdue.length;
}

/** Both passes; returns how many items they acted on. */
export async function remindDueItems({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const read = planReader(tx);
  return (await remindSoonDue(tx, now, read)) + (await escalateOverdue(tx, now, read));
}

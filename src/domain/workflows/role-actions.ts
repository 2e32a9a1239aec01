import { EVENT_KINDS } from '../incidents/events.ts';
import { roleRefusal } from '../incidents/role-constraints.ts';
import { pageFromPlan } from '../paging/page-from-plan.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import { targetOf } from '../paging/steps.ts';
import { commanderRoleOf, roleChain } from '../plans/plan.ts';
import type { ActionContext, ActionResult } from './actions.ts';
import * as q from './queries.ts';

// Roles the plan fills and watches (roles[].assignTo / eligible / fallback / acceptWithin and
// required / remindAfter / escalateAfter / escalateTo), compiled to rules in compile-plan-rules.ts.

export interface FillRoleSpec {
  role: string;
  /** A later pass: the holder chosen automatically did not accept in time. */
  pass?: boolean;
}

export interface CheckRoleSpec {
  role: string;
  stage: 'remind' | 'escalate';
  who?: string[];
}

/**
 * Fills a role with the first person the chain names (assignTo, eligible, fallback), skipping
 * entries that name nobody available; on a pass, moves on from the current holder's place in the
 * chain unless the incident was acknowledged (accepted) or someone assigned the role by hand.
 */
export async function fillRole(
  ctx: ActionContext,
  emit: (kind: string, data: Record<string, unknown>) => Promise<string>,
  spec: FillRoleSpec,
): Promise<ActionResult> {
  const role = ctx.plan.roles.find((r) => r.id === spec.role);
  if (!role) return { action: 'fillRole', role: spec.role, filled: false, reason: 'not a role of the plan' };
  const current = await q.roleHolder(ctx.tx, ctx.incident.id, spec.role);
  let start = 0;
  if (!spec.pass) {
    if (current) return { action: 'fillRole', role: spec.role, filled: false, reason: `held by ${current}` };
  } else {
    if (ctx.incident.acknowledged_at)
      return { action: 'fillRole', role: spec.role, filled: false, reason: 'accepted' };
    const last = await q.lastRoleAssignment(ctx.tx, ctx.incident.id, spec.role);
    if (last?.auto !== true || last.user !== current) {
      return { action: 'fillRole', role: spec.role, filled: false, reason: 'assigned by a person' };
    }
    start = Number(last.chain_index ?? 0) + 1;
  }
  const chain = roleChain(role);
  for (let i = start; i < chain.length; i++) {
    const entry = chain[i] as string;
    const found = await resolveRecipients(ctx.tx, [targetOf(entry, ctx.plan)], {
      incidentId: ctx.incident.id,
      service: ctx.incident.service,
      plan: ctx.plan,
      now: ctx.now,
    });
    const handles = await q.handlesOf(ctx.tx, [...found.userIds]);
    const user = [...found.userIds]
      .map((id) => ({ id, handle: handles.get(id) }))
      .find((u) => u.handle && u.handle !== current);
    if (!user?.handle) continue;
    const refusal = await roleRefusal(
      ctx.tx,
      ctx.plan,
      {
        incidentId: ctx.incident.id,
        service: ctx.incident.service,
        role: spec.role,
        userId: user.id,
        handle: user.handle,
      },
      ctx.now,
    );
    if (refusal) continue;
    await q.setRoleHolder(ctx.tx, {
      incident_id: ctx.incident.id,
      role: spec.role,
      user_id: user.id,
      assigned_at: ctx.now,
    });
    await emit(EVENT_KINDS.roleAssigned, {
      role: spec.role,
      user: user.handle,
      previous: current ?? null,
      auto: true,
      from: entry,
      chain_index: i,
      ...(current ? { handover: `${current} did not accept within ${role.acceptWithin ?? '—'}` } : {}),
    });
    await pageFromPlan(ctx.tx, {
      incident: ctx.incident,
      plan: ctx.plan,
      who: [`user:${user.handle}`],
      channels: [],
      kind: 'paging',
      servicePolicy: false,
      source: `role:${spec.role}:${i}`,
      message:
        `[${ctx.incident.severity}] ${ctx.incident.title}: you are ${role.title}` +
        (role.acceptWithin ? `; acknowledge within ${role.acceptWithin} to accept` : ''),
      now: ctx.now,
    });
    return { action: 'fillRole', role: spec.role, filled: true, user: user.handle, chain: entry };
  }
  await emit(EVENT_KINDS.note, {
    text: `Nobody in the chain for ${role.title} (${chain.slice(start).join(' → ') || 'none'}) is available`,
  });
  return { action: 'fillRole', role: spec.role, filled: false, reason: 'nobody available' };
}

/** A required role still unfilled: remind the commander and the channel, or page `who`. */
export async function checkRole(
  ctx: ActionContext,
  helpers: {
    remind: (role: string | undefined, message: string) => Promise<ActionResult>;
    page: (who: string[]) => Promise<ActionResult>;
  },
  spec: CheckRoleSpec,
): Promise<ActionResult> {
  const holder = await q.roleHolder(ctx.tx, ctx.incident.id, spec.role);
  if (holder) return { action: 'checkRole', role: spec.role, filled: true };
  const title = ctx.plan.roles.find((r) => r.id === spec.role)?.title ?? spec.role;
  const commander = commanderRoleOf(ctx.plan);
  const message = `${title} is still unfilled on [{severity}] {title}: assign someone (tocsin incident assign {id} ${spec.role} <user>)`;
  const reminded = await helpers.remind(commander !== spec.role ? commander : undefined, message);
  if (spec.stage === 'escalate' && spec.who && spec.who.length > 0) {
    const paged = await helpers.page(spec.who);
    return { action: 'checkRole', role: spec.role, filled: false, reminded, paged };
  }
  return { action: 'checkRole', role: spec.role, filled: false, reminded };
}

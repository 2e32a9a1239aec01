import type { Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Conflict, type ErrorDetail, Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import {
  fromSteps,
  type PolicyData,
  type PolicyInput,
  policyInputSchema,
  shadowTarget,
  toSteps,
} from './policies.ts';
import * as q from './queries.ts';
import { type PolicyView, showPolicy } from './view.ts';

export interface SavePolicyResult {
  policy: PolicyView;
  change: 'created' | 'updated' | 'unchanged';
}

/** Creates or (mode 'upsert') replaces an escalation policy; every user, schedule and team must exist. */
export async function savePolicy({
  ctx,
  input,
}: Operation<{ policy: PolicyInput; mode: 'create' | 'upsert' }>): Promise<SavePolicyResult> {
  ctx.require('policy:write');
  const data = policyInputSchema.parse(input.policy);
  return inTx(ctx.db, async (tx) => {
    await checkReferences(tx, data);
    const now = ctx.clock.now();
    const before = await q.findPolicy(tx, data.name);
    if (before && input.mode === 'create')
      throw new Conflict(`escalation policy ${data.name} already exists`);
    const fields = {
      description: data.description,
      steps: JSON.stringify(toSteps(data)),
      repeat: data.repeat,
    };
    if (
      before &&
      before.description === data.description &&
      before.repeat === data.repeat &&
      // Compared in one form: jsonb reorders object keys, so the stored text differs from ours.
      JSON.stringify(fromSteps(before.steps)) === JSON.stringify(fromSteps(toSteps(data)))
    ) {
      return { policy: showPolicy(before), change: 'unchanged' };
    }
    const after = before
      ? await q.updatePolicy(tx, before.id, { ...fields, updated_at: now })
      : await q.insertPolicy(tx, { name: data.name, ...fields, created_at: now, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: before ? 'escalation_policy.updated' : 'escalation_policy.created',
      entityType: 'escalation_policy',
      entityId: after.id,
      before: before ? showPolicy(before) : undefined,
      after: showPolicy(after),
    });
    return { policy: showPolicy(after), change: before ? 'updated' : 'created' };
  });
}

/** Every name a step gives must exist: a typo would otherwise page nobody, silently. */
async function checkReferences(tx: Executor, data: PolicyData): Promise<void> {
  const kinds = [
    ['users', q.existingHandles, 'no user'],
    ['schedules', q.existingSchedules, 'no schedule'],
    ['teams', q.existingTeams, 'no team'],
  ] as const;
  const details: ErrorDetail[] = [];
  for (const [field, lookup, missing] of kinds) {
    const names = [...new Set(data.steps.flatMap((s) => s[field]))];
    const found = new Set((await lookup(tx, names)).map((r) => r.name));
    data.steps.forEach((s, i) => {
      s[field].forEach((n, j) => {
        if (!found.has(n)) details.push({ path: `steps.${i}.${field}.${j}`, message: `${missing} "${n}"` });
      });
    });
  }
  // Shadows: a user handle (or user:<handle>) or schedule:<name>, each of which must exist too.
  const shadows = data.steps.flatMap((s, i) =>
    s.shadows.map((ref, j) => ({ ref, path: `steps.${i}.shadows.${j}`, ...shadowTarget(ref) })),
  );
  for (const [kind, lookup, missing] of [
    ['schedule', q.existingSchedules, 'no schedule'],
    ['user', q.existingHandles, 'no user'],
  ] as const) {
    const mine = shadows.filter((s) => s.type === kind);
    const found = new Set((await lookup(tx, [...new Set(mine.map((s) => s.name))])).map((r) => r.name));
    for (const s of mine)
      if (!found.has(s.name)) details.push({ path: s.path, message: `${missing} "${s.name}"` });
  }
  if (details.length > 0) throw new Invalid('unknown names in the escalation policy', details);
}

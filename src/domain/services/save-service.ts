import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { sameValue } from '../config/config.ts';
import type { Operation } from '../context.ts';
import * as policies from '../escalation-policies/queries.ts';
import * as plans from '../plans/queries.ts';
import * as users from '../users/queries.ts';
import type { SaveResult } from '../users/save-user.ts';
import * as services from './queries.ts';
import { type Service, type ServiceInput, serviceInputSchema } from './services.ts';

/** Creates a service, or with mode 'upsert' (config as code) brings it in line with the input. */
export async function saveService({
  ctx,
  input,
}: Operation<{ service: ServiceInput; mode: 'create' | 'upsert' }>): Promise<SaveResult<Service>> {
  ctx.require('service:write');
  const data = serviceInputSchema.parse(input.service);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const team = data.team ? await users.findTeamByName(tx, data.team) : undefined;
    if (data.team && !team)
      throw new Invalid('unknown team', [{ path: 'team', message: `no team "${data.team}"` }]);
    if (data.plan && !(await plans.findPlan(tx, data.plan))) {
      throw new Invalid('unknown plan', [{ path: 'plan', message: `no plan "${data.plan}"` }]);
    }
    // A typo here would make the service's incidents page the plan's default instead, silently.
    if (data.escalation_policy && !(await policies.findPolicy(tx, data.escalation_policy))) {
      throw new Invalid('unknown escalation policy', [
        { path: 'escalation_policy', message: `no escalation policy "${data.escalation_policy}"` },
      ]);
    }
    const fields = {
      description: data.description,
      team_id: team?.id ?? null,
      plan_name: data.plan ?? null,
      escalation_policy: data.escalation_policy ?? null,
      rules: JSON.stringify(data.rules),
    };
    const before = await services.lockService(tx, data.name);
    if (!before) {
      const created = await services.insertService(tx, {
        name: data.name,
        ...fields,
        created_at: now,
        updated_at: now,
      });
      await audit.record(tx, ctx.actor, now, {
        action: 'service.created',
        entityType: 'service',
        entityId: created.id,
        after: created,
      });
      return { item: created, change: 'created' };
    }
    if (input.mode === 'create') throw new Conflict(`service ${data.name} already exists`);
    const same =
      before.description === fields.description &&
      before.team_id === fields.team_id &&
      before.plan_name === fields.plan_name &&
      before.escalation_policy === fields.escalation_policy &&
      // jsonb returns keys in its own order: compare values, not texts.
      sameValue(before.rules, data.rules);
    if (same) return { item: before, change: 'unchanged' };
    const after = await services.updateService(tx, before.id, { ...fields, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'service.updated',
      entityType: 'service',
      entityId: after.id,
      before,
      after,
    });
    return { item: after, change: 'updated' };
  });
}

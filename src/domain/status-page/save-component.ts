import type { Executor, Row } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { statusPageChanged } from './cache.ts';
import { type ComponentInput, componentInputSchema } from './inputs.ts';
import * as q from './queries.ts';

export type ComponentRow = Row<'status_page_components'>;

/** A component as the admin API shows it: its group by name. */
export function showComponent(c: ComponentRow, groups: Map<string, string>) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    group: c.group_id === null ? null : (groups.get(String(c.group_id)) ?? null),
    group_component: c.is_group,
    position: c.position,
    only_show_if_degraded: c.only_show_if_degraded,
    status: c.status,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

async function groupId(
  tx: Executor,
  data: { name: string; group?: string | null | undefined; group_component: boolean },
) {
  if (!data.group) return null;
  if (data.group_component) {
    throw new Invalid('a group cannot be in a group', [
      { path: 'group', message: 'groups are one level deep' },
    ]);
  }
  const group = await q.findComponentByName(tx, data.group);
  if (!group?.is_group) {
    throw new Invalid('unknown group', [
      {
        path: 'group',
        message: group ? `"${data.group}" is a component, not a group` : `no group "${data.group}"`,
      },
    ]);
  }
  return group.id;
}

/** Creates or changes a component (or a group of components), by name. */
export async function saveComponent({ ctx, input }: Operation<ComponentInput>) {
  ctx.require('status-page:write');
  const data = componentInputSchema.parse(input);
  const result = await inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const before = await q.lockComponentByName(tx, data.name);
    const group_id = await groupId(tx, data);
    if (before?.is_group && !data.group_component && Number((await q.countChildren(tx, before.id)).n) > 0) {
      throw new Invalid('the group has components', [
        { path: 'group_component', message: 'move its components out of the group first' },
      ]);
    }
    const fields = {
      description: data.description,
      is_group: data.group_component,
      group_id,
      position: data.position,
      only_show_if_degraded: data.only_show_if_degraded,
    };
    let after: ComponentRow;
    let change: 'created' | 'updated' | 'unchanged';
    if (!before) {
      after = await q.insertComponent(tx, { name: data.name, ...fields, created_at: now, updated_at: now });
      // The status history starts with the component, so its uptime counts from then.
      await q.insertComponentChange(tx, {
        component_id: after.id,
        status: after.status,
        at: now,
        actor_name: ctx.actor.name,
      });
      change = 'created';
    } else {
      const same =
        before.description === fields.description &&
        before.is_group === fields.is_group &&
        String(before.group_id) === String(fields.group_id) &&
        before.position === fields.position &&
        before.only_show_if_degraded === fields.only_show_if_degraded;
      if (same) return { change: 'unchanged' as const, component: before };
      after = await q.updateComponent(tx, before.id, { ...fields, updated_at: now });
      change = 'updated';
    }
    await audit.record(tx, ctx.actor, now, {
      action: `status_page.component_${change}`,
      entityType: 'status_page_component',
      entityId: after.id,
      before,
      after,
    });
    return { change, component: after };
  });
  if (result.change !== 'unchanged') statusPageChanged(ctx.db);
  return result;
}

import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from '../users/queries.ts';
import * as schedules from './queries.ts';
import { canonicalJson, type ScheduleInput, scheduleInputSchema, toRotation } from './schedules.ts';
import { type ScheduleView, viewOf } from './view.ts';

export interface SaveScheduleResult {
  item: ScheduleView;
  change: 'created' | 'updated' | 'unchanged';
}

/** Creates or (mode 'upsert') replaces a schedule; participants and team must exist. */
export async function saveSchedule({
  ctx,
  input,
}: Operation<{ schedule: ScheduleInput; mode: 'create' | 'upsert' }>): Promise<SaveScheduleResult> {
  ctx.require('schedule:write');
  const data = scheduleInputSchema.parse(input.schedule);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const handles = [...new Set(data.layers.flatMap((l) => l.participants))];
    const found = await schedules.idsOfHandles(tx, handles);
    const idOf = new Map(found.map((u) => [u.handle, String(u.id)]));
    const missing = data.layers.flatMap((l, i) =>
      l.participants.flatMap((p, j) =>
        idOf.has(p) ? [] : [{ path: `layers.${i}.participants.${j}`, message: `no user with handle "${p}"` }],
      ),
    );
    let teamId: string | null = null;
    if (data.team) {
      const team = await users.findTeamByName(tx, data.team);
      if (team) teamId = String(team.id);
      else missing.push({ path: 'team', message: `no team "${data.team}"` });
    }
    if (missing.length > 0) throw new Invalid('unknown users or team', missing);

    const layers = data.layers.map((l, i) => toRotation(l, i, (h) => idOf.get(h) as string));
    const locked = await schedules.lockByName(tx, data.name);
    if (locked && input.mode === 'create') throw new Conflict(`schedule ${data.name} already exists`);
    const before = locked && (await schedules.findWithTeam(tx, data.name));
    const fields = { description: data.description, time_zone: data.time_zone, team_id: teamId };
    if (
      before &&
      before.description === fields.description &&
      before.time_zone === fields.time_zone &&
      String(before.team_id ?? '') === String(teamId ?? '') &&
      canonicalJson(before.layers) === canonicalJson(layers)
    ) {
      return { item: await viewOf(tx, before), change: 'unchanged' };
    }
    const row = before
      ? await schedules.update(tx, before.id, { ...fields, layers: JSON.stringify(layers), updated_at: now })
      : await schedules.insert(tx, {
          name: data.name,
          ...fields,
          layers: JSON.stringify(layers),
          created_at: now,
          updated_at: now,
        });
    const item = await viewOf(tx, { ...row, team: data.team ?? null });
    const beforeView = before ? await viewOf(tx, before) : undefined;
    await audit.record(tx, ctx.actor, now, {
      action: before ? 'schedule.updated' : 'schedule.created',
      entityType: 'schedule',
      entityId: data.name,
      before: beforeView,
      after: item,
    });
    return { item, change: before ? 'updated' : 'created' };
  });
}

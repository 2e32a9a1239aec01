import type { Row } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import type { SaveResult } from './save-user.ts';
import { type TeamInput, teamInputSchema } from './users.ts';

export type TeamView = Row<'teams'> & { members: { user: string; role: string }[] };

/**
 * Creates or (mode 'upsert') updates a team and replaces its member list. Mode 'apply' (a `kind:
 * Team` file, which names a team that should exist) also reactivates a deactivated one, audited as
 * such; a member change alone leaves a deactivated team deactivated.
 */
export async function saveTeam({
  ctx,
  input,
}: Operation<{ team: TeamInput; mode: 'create' | 'upsert' | 'apply' }>): Promise<SaveResult<TeamView>> {
  ctx.require('team:write');
  const data = teamInputSchema.parse(input.team);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const found = await users.findManyByHandle(
      tx,
      data.members.map((m) => m.user),
    );
    const byHandle = new Map(found.map((u) => [u.handle, u.id]));
    const missing = data.members.map((m, i) => ({ m, i })).filter(({ m }) => !byHandle.has(m.user));
    if (missing.length > 0) {
      throw new Invalid(
        'unknown team members',
        missing.map(({ m, i }) => ({
          path: `members.${i}.user`,
          message: `no user with handle "${m.user}"`,
        })),
      );
    }
    const members = data.members
      .map((m) => ({ user: m.user, role: m.role }))
      .sort((a, b) => a.user.localeCompare(b.user));
    const before = await users.findTeamByName(tx, data.name);
    if (before && input.mode === 'create') {
      throw new Conflict(
        before.deactivated_at
          ? `team ${data.name} exists, deactivated: reactivate it (tocsin team reactivate ${data.name})`
          : `team ${data.name} already exists`,
      );
    }
    const beforeMembers = before ? await users.teamMembers(tx, before.id) : [];
    const reactivate = input.mode === 'apply' && Boolean(before?.deactivated_at);
    if (
      before &&
      !reactivate &&
      before.description === data.description &&
      JSON.stringify(beforeMembers) === JSON.stringify(members)
    ) {
      return { item: { ...before, members: beforeMembers }, change: 'unchanged' };
    }
    const team = before
      ? await users.updateTeam(tx, before.id, {
          description: data.description,
          updated_at: now,
          ...(reactivate ? { deactivated_at: null } : {}),
        })
      : await users.insertTeam(tx, {
          name: data.name,
          description: data.description,
          created_at: now,
          updated_at: now,
        });
    await users.replaceTeamMembers(
      tx,
      team.id,
      members.map((m) => ({ userId: byHandle.get(m.user) as string, role: m.role })),
    );
    const after = { ...team, members };
    await audit.record(tx, ctx.actor, now, {
      action: reactivate ? 'team.reactivated' : before ? 'team.updated' : 'team.created',
      entityType: 'team',
      entityId: team.id,
      before: before ? { ...before, members: beforeMembers } : undefined,
      after,
    });
    return { item: after, change: before ? 'updated' : 'created' };
  });
}

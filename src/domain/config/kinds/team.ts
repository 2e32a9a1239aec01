import { z } from 'zod';
import * as users from '../../users/queries.ts';
import { saveTeam } from '../../users/save-team.ts';
import { teamInputSchema } from '../../users/users.ts';
import { defineKind, diffAgainst, documentSchema, errorAt, parseDocument } from '../config.ts';

// kind: Team — members reference User documents (of this apply or already stored).
//   apiVersion: tocsin.dev/v1
//   kind: Team
//   metadata: { name: platform, description: Runs the creator platform }
//   spec:
//     members:
//       - { user: selam, role: lead }
//       - { user: dawit }            # role defaults to "member"

export const teamDocumentSchema = documentSchema(
  'Team',
  z.strictObject({ name: teamInputSchema.shape.name, description: teamInputSchema.shape.description }),
  teamInputSchema.pick({ members: true }).default({ members: [] }),
);
type TeamDocument = z.output<typeof teamDocumentSchema>;

/** Members as user → role, so a diff names the member that changed rather than a list index. */
function memberMap(members: { user: string; role: string }[]): Record<string, string> {
  return Object.fromEntries(members.map((m) => [m.user, m.role]));
}

export const teamKind = defineKind<TeamDocument>({
  kind: 'Team',
  order: 20,
  permission: 'team:write',
  validate(doc) {
    const parsed = parseDocument(teamDocumentSchema, doc);
    if (parsed.errors) return parsed;
    const seen = new Set<string>();
    const errors = parsed.value.spec.members.flatMap((m, i) => {
      const dup = seen.has(m.user);
      seen.add(m.user);
      return dup ? [errorAt(doc, ['spec', 'members', i, 'user'], `"${m.user}" is listed twice`)] : [];
    });
    return errors.length > 0 ? { errors } : parsed;
  },
  name: (doc) => doc.metadata.name,
  async plan(ctx, doc) {
    const team = await users.findTeamByName(ctx.db, doc.metadata.name);
    const stored = team && {
      // Applying reactivates a deactivated team (saveTeam, mode 'apply'): the plan says so.
      active: !team.deactivated_at,
      description: team.description,
      members: memberMap(await users.teamMembers(ctx.db, team.id)),
    };
    return diffAgainst(stored, {
      active: true,
      description: doc.metadata.description,
      members: memberMap(doc.spec.members),
    });
  },
  async apply(ctx, doc) {
    const { change } = await saveTeam({
      ctx,
      input: {
        team: { name: doc.metadata.name, description: doc.metadata.description, members: doc.spec.members },
        mode: 'apply',
      },
    });
    return change;
  },
  locate: (detailPath) =>
    detailPath === 'name' || detailPath === 'description'
      ? ['metadata', detailPath]
      : ['spec', ...detailPath.split('.')],
});

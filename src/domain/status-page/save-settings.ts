import { inTx } from '../../db/tx.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { statusPageChanged } from './cache.ts';
import { type SettingsInput, settingsInputSchema } from './inputs.ts';
import * as q from './queries.ts';

/** Sets the page's title and languages. */
export async function saveStatusPageSettings({ ctx, input }: Operation<SettingsInput>) {
  ctx.require('status-page:write');
  const data = settingsInputSchema.parse(input);
  const saved = await inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const before = await q.findSettings(tx);
    const after = await q.upsertSettings(tx, { ...data, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'status_page.settings_saved',
      entityType: 'status_page',
      entityId: 'settings',
      before: before && {
        name: before.name,
        languages: before.languages,
        guard_patterns: before.guard_patterns,
      },
      after: { name: after.name, languages: after.languages, guard_patterns: after.guard_patterns },
    });
    return {
      name: after.name,
      languages: after.languages,
      guard_patterns: after.guard_patterns,
      updated_at: after.updated_at,
    };
  });
  statusPageChanged(ctx.db);
  return saved;
}

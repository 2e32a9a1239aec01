import { inTx } from '../../db/tx.ts';
import * as audit from '../audit/queries.ts';
import { sameValue } from '../config/config.ts';
import type { Operation } from '../context.ts';
import { type NotificationRulesInput, notificationRulesInputSchema, resolveRules } from './contacts.ts';
import { type NotificationRulesView, rulesView } from './get-notification-rules.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

/**
 * Replaces a user's notification rules (and quiet hours, when given; null clears them). Rules may name
 * unverified methods: they start paging once verified. The same rules again change nothing.
 */
export async function setNotificationRules({
  ctx,
  input,
}: Operation<{ user: string } & NotificationRulesInput>): Promise<NotificationRulesView> {
  const data = notificationRulesInputSchema.parse({ rules: input.rules, quiet_hours: input.quiet_hours });
  return inTx(ctx.db, async (tx) => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    const methods = await contacts.lockMethods(tx, user.id);
    const resolved = resolveRules(methods, data.rules, 'rules');
    const before = await rulesView(tx, user);
    const unchanged = sameValue(
      before.rules.map((r) => ({ contactMethodId: r.contact_method_id, delaySeconds: r.delay_seconds })),
      resolved,
    );
    if (!unchanged) await contacts.replaceRules(tx, user.id, resolved);
    if (data.quiet_hours !== undefined) {
      const q = data.quiet_hours;
      await contacts.setQuietHours(tx, user.id, q ? { starts: q.start, ends: q.end } : null);
    }
    const after = await rulesView(tx, user);
    if (!sameValue(before, after)) {
      await audit.record(tx, ctx.actor, ctx.clock.now(), {
        action: 'notification_rules.updated',
        entityType: 'user',
        entityId: user.id,
        before,
        after,
      });
    }
    return after;
  });
}

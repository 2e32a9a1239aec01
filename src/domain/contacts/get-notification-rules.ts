import type { Executor } from '../../db/schema.ts';
import type { Operation } from '../context.ts';
import type { User } from '../users/users.ts';
import { formatDelay, type QuietHours } from './contacts.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

export interface NotificationRuleView {
  position: number;
  contact_method_id: string;
  /** How a config file or `--set` names the method: its label, else its kind. */
  contact: string;
  kind: string;
  address: string;
  label: string | null;
  after: string;
  delay_seconds: number;
  /** Unverified or disabled methods are kept in the rules but page nobody. */
  verified: boolean;
  disabled: boolean;
}

export interface NotificationRulesView {
  user: string;
  time_zone: string;
  rules: NotificationRuleView[];
  quiet_hours: QuietHours | null;
}

/** The rules as the API shows them; shared with set-notification-rules for its answer and audit. */
export async function rulesView(db: Executor, user: User): Promise<NotificationRulesView> {
  const [rules, methods, quiet] = await Promise.all([
    contacts.listRules(db, user.id),
    contacts.listMethods(db, user.id),
    contacts.findQuietHours(db, user.id),
  ]);
  const byId = new Map(methods.map((m) => [m.id, m]));
  return {
    user: user.handle,
    time_zone: user.time_zone,
    rules: rules.flatMap((r) => {
      const m = byId.get(r.contact_method_id);
      if (!m) return [];
      return [
        {
          position: r.position,
          contact_method_id: m.id,
          contact: m.label ?? m.kind,
          kind: m.kind,
          address: m.address,
          label: m.label,
          after: formatDelay(r.delay_seconds),
          delay_seconds: r.delay_seconds,
          verified: m.verified_at !== null,
          disabled: m.disabled,
        },
      ];
    }),
    quiet_hours: quiet ? { start: quiet.starts, end: quiet.ends } : null,
  };
}

export async function getNotificationRules({
  ctx,
  input,
}: Operation<{ user: string }>): Promise<NotificationRulesView> {
  const user = await targetUser(ctx, ctx.db, input.user, 'read');
  return rulesView(ctx.db, user);
}

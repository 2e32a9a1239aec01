import type { Executor } from '../../db/schema.ts';
import type { ContactKind } from '../../notify/message.ts';
import * as contacts from './queries.ts';

// The contract the paging engine codes against: who gets what, when, for one paged user.

export interface PlannedContact {
  contactMethodId: string | null;
  kind: ContactKind;
  address: string;
  delaySeconds: number;
}

type PlanRow = Awaited<ReturnType<typeof contacts.planRows>>[number];

/** The user's notification rules resolved to verified, enabled contact methods, in delay order.
 *  kinds: when given, only rules whose method kind is in the list; when that leaves none, the result is []
 *  (the caller decides the fallback). A user with no rules at all gets one immediate email to users.email
 *  (contactMethodId null), when they have an email. */
export async function notificationPlan(
  db: Executor,
  userId: string,
  kinds?: readonly ContactKind[],
): Promise<PlannedContact[]> {
  // One query (the user left-joined to rules and methods): it runs in the paging engine's transaction
  // for every paged user.
  return planOf(await contacts.planRows(db, userId), kinds);
}

/**
 * notificationPlan for several people in one query (a step paging a group): each person's plan with
 * `kinds`, and with every kind when `kinds` leaves them none (reach them anyhow). People not found
 * (or with nothing to reach) get [].
 */
export async function notificationPlans(
  db: Executor,
  userIds: readonly string[],
  kinds?: readonly ContactKind[],
): Promise<Map<string, PlannedContact[]>> {
  const rows = await contacts.planRowsOf(db, userIds);
  const byUser = new Map<string, PlanRow[]>();
  for (const row of rows) {
    const own = byUser.get(row.user_id) ?? [];
    own.push(row);
    byUser.set(row.user_id, own);
  }
  return new Map(
    userIds.map((id) => {
      const own = byUser.get(id) ?? [];
      const planned = planOf(own, kinds);
      return [id, planned.length === 0 && kinds !== undefined ? planOf(own, undefined) : planned];
    }),
  );
}

function planOf(rows: readonly PlanRow[], kinds: readonly ContactKind[] | undefined): PlannedContact[] {
  const allowed = (kind: ContactKind) => kinds === undefined || kinds.includes(kind);
  const hasRules = rows.some((r) => r.method_id !== null);
  if (!hasRules) {
    // The default for people who never set rules up; the kinds filter applies to it as to any rule.
    const email = rows[0]?.email;
    return email && allowed('email')
      ? [{ contactMethodId: null, kind: 'email', address: email, delaySeconds: 0 }]
      : [];
  }
  return rows.flatMap((r) => {
    if (r.method_id === null || r.kind === null || r.address === null || r.delay_seconds === null) return [];
    if (r.verified_at === null || r.disabled === true || !allowed(r.kind)) return [];
    return [
      { contactMethodId: r.method_id, kind: r.kind, address: r.address, delaySeconds: r.delay_seconds },
    ];
  });
}

import type { ContactKindColumn, Executor, NewRow, RowUpdate } from '../../db/schema.ts';

export function listMethods(db: Executor, userId: string) {
  return db
    .selectFrom('contact_methods')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('kind')
    .orderBy('id')
    .execute();
}

/** The user's methods, locked: rule and config changes read them while nobody else edits them. */
export function lockMethods(db: Executor, userId: string) {
  return db
    .selectFrom('contact_methods')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export function lockMethod(db: Executor, userId: string, id: string) {
  return db
    .selectFrom('contact_methods')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function insertMethod(db: Executor, row: NewRow<'contact_methods'>) {
  return db.insertInto('contact_methods').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateMethod(db: Executor, id: string, set: RowUpdate<'contact_methods'>) {
  return db
    .updateTable('contact_methods')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function deleteMethod(db: Executor, id: string) {
  return db.deleteFrom('contact_methods').where('id', '=', id).execute();
}

export function listRules(db: Executor, userId: string) {
  return db
    .selectFrom('notification_rules')
    .select(['position', 'contact_method_id', 'delay_seconds'])
    .where('user_id', '=', userId)
    .orderBy('position')
    .execute();
}

export async function replaceRules(
  db: Executor,
  userId: string,
  rules: { contactMethodId: string; delaySeconds: number }[],
) {
  await db.deleteFrom('notification_rules').where('user_id', '=', userId).execute();
  if (rules.length === 0) return;
  await db
    .insertInto('notification_rules')
    .values(
      rules.map((r, position) => ({
        user_id: userId,
        position,
        contact_method_id: r.contactMethodId,
        delay_seconds: r.delaySeconds,
      })),
    )
    .execute();
}

export function rulesOfMethod(db: Executor, methodId: string) {
  return db
    .selectFrom('notification_rules')
    .select(['position', 'delay_seconds'])
    .where('contact_method_id', '=', methodId)
    .execute();
}

export function findQuietHours(db: Executor, userId: string) {
  return db
    .selectFrom('user_quiet_hours')
    .select(['starts', 'ends'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function setQuietHours(
  db: Executor,
  userId: string,
  q: { starts: string; ends: string } | null,
) {
  if (q === null) {
    await db.deleteFrom('user_quiet_hours').where('user_id', '=', userId).execute();
    return;
  }
  await db
    .insertInto('user_quiet_hours')
    .values({ user_id: userId, ...q })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(q))
    .execute();
}

/**
 * Everything the paging engine needs for one user in one query: the user's email and time zone, and
 * each rule with its method (none: one row of nulls). Sorted as pages go out: by delay, then position.
 */
export function planRows(db: Executor, userId: string) {
  return planRowsQuery(db).where('users.id', '=', userId).execute();
}

/** planRows of several people at once, each person's rows in the same order. */
export function planRowsOf(db: Executor, userIds: readonly string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return planRowsQuery(db)
    .where('users.id', 'in', [...userIds])
    .execute();
}

function planRowsQuery(db: Executor) {
  return db
    .selectFrom('users')
    .leftJoin('notification_rules as r', 'r.user_id', 'users.id')
    .leftJoin('contact_methods as m', 'm.id', 'r.contact_method_id')
    .select([
      'users.email',
      'r.delay_seconds',
      'r.position',
      'm.id as method_id',
      'm.kind',
      'm.address',
      'm.verified_at',
      'm.disabled',
      'users.id as user_id',
    ])
    .orderBy('r.delay_seconds')
    .orderBy('r.position');
}

/** Up to two owners of a verified address: more than one means the address names nobody for sure. */
export function verifiedOwners(db: Executor, kind: ContactKindColumn, address: string) {
  return db
    .selectFrom('contact_methods')
    .select('user_id')
    .distinct()
    .where('kind', '=', kind)
    .where('address', '=', address)
    .where('verified_at', 'is not', null)
    .limit(2)
    .execute();
}

/** The user's quiet hours with the time zone they are read in; undefined when the user has none. */
export function quietHoursOf(db: Executor, userId: string) {
  return db
    .selectFrom('user_quiet_hours')
    .innerJoin('users', 'users.id', 'user_quiet_hours.user_id')
    .select(['user_quiet_hours.starts', 'user_quiet_hours.ends', 'users.time_zone'])
    .where('user_quiet_hours.user_id', '=', userId)
    .executeTakeFirst();
}

/** Verification codes queued since `since`: how many, and when the oldest was (for Retry-After). */
export function verificationSendsSince(
  db: Executor,
  since: Date,
  scope: { userId?: string; channel?: string; destination?: string },
) {
  let q = db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('template', '=', 'contact-verify')
    .where('created_at', '>', since);
  if (scope.userId !== undefined) q = q.where('user_id', '=', scope.userId);
  if (scope.channel !== undefined) q = q.where('channel', '=', scope.channel);
  if (scope.destination !== undefined) q = q.where('destination', '=', scope.destination);
  return q.executeTakeFirstOrThrow().then((r) => ({ n: Number(r.n), oldest: r.oldest as Date | null }));
}

import type { Executor } from '../../db/schema.ts';

export function listItems(db: Executor, userId: string, opts: { unread: boolean; limit: number }) {
  let q = db
    .selectFrom('inbox_items')
    .select(['id', 'incident_id', 'title', 'body', 'url', 'created_at', 'read_at'])
    .where('user_id', '=', userId);
  if (opts.unread) q = q.where('read_at', 'is', null);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export function markRead(db: Executor, userId: string, id: string, at: Date) {
  return db
    .updateTable('inbox_items')
    .set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.val(at)) }))
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning(['id', 'incident_id', 'title', 'body', 'url', 'created_at', 'read_at'])
    .executeTakeFirst();
}

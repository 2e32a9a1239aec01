import type { Executor, NewRow } from '../../db/schema.ts';

/** Queues a message; a repeated dedup key queues nothing (returns undefined). */
export function insertOutbox(db: Executor, row: NewRow<'outbox'>) {
  return db
    .insertInto('outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
}

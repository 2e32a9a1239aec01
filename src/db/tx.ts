import type { Transaction } from 'kysely';
import type { Database, Executor } from './schema.ts';

/**
 * Runs fn in a transaction: the caller's, when db already is one (so several operations can share
 * one all-or-nothing transaction, as `tocsin apply` does), otherwise a new one. Kysely does not
 * nest transactions, hence the check instead of calling db.transaction() again.
 */
export function inTx<T>(db: Executor, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<Database>);
  return db.transaction().execute(fn);
}

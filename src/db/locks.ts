import { sql } from 'kysely';
import type { Executor } from './schema.ts';

// Advisory lock ids in one place so no two features pick the same number.
export const LOCKS = {
  bootstrapAdmin: 7001,
  planApply: 7002,
  engineModuleBase: 9000,
} as const;

export async function advisoryXactLock(tx: Executor, id: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${id})`.execute(tx);
}

/** True when this transaction now holds the lock; false when another session has it. */
export async function tryAdvisoryXactLock(tx: Executor, id: number): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${id}) as ok`.execute(tx);
  return rows[0]?.ok === true;
}

/**
 * tryAdvisoryXactLock, and in the same round trip the store's schema version (the newest migration
 * applied, as appliedSchemaVersion reads it): the engine's gate on a rolling upgrade, checked in each
 * module's own transaction instead of by one more statement before every pass.
 */
export async function tryAdvisoryXactLockOnSchema(
  tx: Executor,
  id: number,
): Promise<{ locked: boolean; schema: string }> {
  const { rows } = await sql<{ ok: boolean; schema: string | null }>`
    select pg_try_advisory_xact_lock(${id}) as ok, (select max(name) from kysely_migration) as schema
  `.execute(tx);
  return { locked: rows[0]?.ok === true, schema: rows[0]?.schema ?? '' };
}

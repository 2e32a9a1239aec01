import { sql } from 'kysely';
import type { Executor } from '../../db/schema.ts';

/** Heartbeat integrations with their service's name and their heartbeat row (if pinged or down). */
function heartbeatIntegrations(db: Executor) {
  return db
    .selectFrom('integrations')
    .innerJoin('services', 'services.id', 'integrations.service_id')
    .leftJoin('heartbeats', 'heartbeats.integration_id', 'integrations.id')
    .select([
      'integrations.id',
      'integrations.name',
      'integrations.config',
      'integrations.created_at',
      'services.name as service_name',
      'heartbeats.last_ping_at',
    ])
    .where('integrations.type', '=', 'heartbeat');
}

/** Live heartbeat integrations that are not already down, with their last ping (if any). */
export function listWatched(db: Executor) {
  return heartbeatIntegrations(db)
    .select(['integrations.service_id', 'integrations.type'])
    .where('integrations.disabled_at', 'is', null)
    .where((eb) => eb.or([eb('heartbeats.state', 'is', null), eb('heartbeats.state', '<>', 'down')]))
    .orderBy('integrations.id')
    .execute();
}

/**
 * Marks a heartbeat down, only if it is not down already and has not pinged since `since` (its last
 * sign of life as the caller read it). PostgreSQL re-checks this on the row as it is once locked, so a
 * ping committed meanwhile wins.
 * Returns whether this call made the change: the caller raises the alert only then.
 */
export async function markDown(
  db: Executor,
  h: { integrationId: string; createdAt: Date; since: Date; now: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('heartbeats')
    .values({ integration_id: h.integrationId, state: 'down', down_since: h.now, updated_at: h.now })
    .onConflict((oc) =>
      oc
        .column('integration_id')
        .doUpdateSet({ state: 'down', down_since: h.now, updated_at: h.now })
        .where('heartbeats.state', '<>', 'down')
        .where(sql<Date>`coalesce(heartbeats.last_ping_at, ${h.createdAt})`, '<=', h.since),
    )
    .returning('integration_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Creates the heartbeat's row if missing, then locks it: pings and the engine meet on this row. */
export async function lockOrCreate(db: Executor, integrationId: string, now: Date) {
  await db
    .insertInto('heartbeats')
    .values({ integration_id: integrationId, updated_at: now })
    .onConflict((oc) => oc.column('integration_id').doNothing())
    .execute();
  return db
    .selectFrom('heartbeats')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export function recordPing(db: Executor, integrationId: string, now: Date) {
  return db
    .updateTable('heartbeats')
    .set((eb) => ({
      state: 'up',
      last_ping_at: now,
      pings: eb('pings', '+', '1'),
      down_since: null,
      updated_at: now,
    }))
    .where('integration_id', '=', integrationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Every heartbeat integration with its state and last ping (never-pinged ones are "new"), by service. */
export function listAll(db: Executor) {
  return heartbeatIntegrations(db)
    .select(['integrations.disabled_at', 'heartbeats.state', 'heartbeats.pings', 'heartbeats.down_since'])
    .orderBy('services.name')
    .orderBy('integrations.name')
    .execute();
}

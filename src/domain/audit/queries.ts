import type { Executor } from '../../db/schema.ts';
import type { Actor } from '../context.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

/** Appends to the audit log; call it inside the transaction that made the change. */
export async function record(tx: Executor, actor: Actor, at: Date, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      at,
      actor_id: actor.userId,
      actor_name: actor.name,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: String(entry.entityId),
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

/** Newest first (indexes audit_log_entity*); beforeId: keyset, only entries older than it. */
export async function list(
  db: Executor,
  filter: {
    entityType?: string | undefined;
    entityId?: string | undefined;
    limit: number;
    beforeId?: string | undefined;
  },
) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  if (filter.entityType) q = q.where('entity_type', '=', filter.entityType);
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
  return q.execute();
}

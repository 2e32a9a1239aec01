import type { Executor, NewRow } from '../../db/schema.ts';
import type { Actor } from '../context.ts';
import { noteAuditedChange } from '../users/token-cache.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

/** Appends to the audit log; call it inside the transaction that made the change. */
export async function record(tx: Executor, actor: Actor, at: Date, entry: AuditEntry): Promise<void> {
  await recordMany(tx, actor, at, [entry]);
}

/** Several entries of one actor and time in one statement (bulk operations). */
export async function recordMany(tx: Executor, actor: Actor, at: Date, entries: AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 1000) {
    await tx
      .insertInto('audit_log')
      .values(entries.slice(i, i + 1000).map((entry) => auditRowOf(actor, at, entry)))
      .execute();
  }
}

/** The audit row of an entry (a change may write it in the statement that makes the change). */
export function auditRowOf(actor: Actor, at: Date, entry: AuditEntry): NewRow<'audit_log'> {
  // Every audited change passes here: a user's, token's or team's drops the cached bearer tokens.
  noteAuditedChange(entry.entityType, at);
  return {
    at,
    actor_id: actor.userId,
    actor_name: actor.name,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: String(entry.entityId),
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
  };
}

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

import { sql } from 'kysely';
import type { Executor } from '../../db/schema.ts';

/** The runbook ids attached to an incident (its runbook.attached events), in attachment order. */
export async function attachedRunbookIds(db: Executor, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_events')
    .select(sql<string>`data->>'runbook'`.as('runbook'))
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'runbook.attached')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.runbook);
}

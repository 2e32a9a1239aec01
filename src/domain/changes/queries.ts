import type { Executor, NewRow } from '../../db/schema.ts';

export function insertChange(db: Executor, row: NewRow<'changes'>) {
  return db.insertInto('changes').values(row).returningAll().executeTakeFirstOrThrow();
}

export interface ChangeFilter {
  serviceIds?: string[] | undefined;
  /** happened_at ≥ from */
  from?: Date | undefined;
  /** happened_at ≤ to */
  to?: Date | undefined;
  limit: number;
}

/** Changes, newest first, with their service's name. */
export function listChanges(db: Executor, f: ChangeFilter) {
  let q = db
    .selectFrom('changes')
    .innerJoin('services', 'services.id', 'changes.service_id')
    .selectAll('changes')
    .select('services.name as service_name');
  if (f.serviceIds) {
    if (f.serviceIds.length === 0) return Promise.resolve([]);
    q = q.where('changes.service_id', 'in', f.serviceIds);
  }
  if (f.from) q = q.where('changes.happened_at', '>=', f.from);
  if (f.to) q = q.where('changes.happened_at', '<=', f.to);
  return q.orderBy('changes.happened_at', 'desc').orderBy('changes.id', 'desc').limit(f.limit).execute();
}

/**
 * The services an incident concerns: the one it was declared for (by name) and those of every alert
 * that fed it.
 */
export function servicesOfIncident(db: Executor, incident: { id: string; service: string | null }) {
  return db
    .selectFrom('services')
    .select(['services.id', 'services.name'])
    .where((eb) =>
      eb.or([
        eb('services.name', '=', incident.service ?? ''),
        eb(
          'services.id',
          'in',
          eb.selectFrom('alerts').select('alerts.service_id').where('alerts.incident_id', '=', incident.id),
        ),
      ]),
    )
    .orderBy('services.name')
    .execute();
}

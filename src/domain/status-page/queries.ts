import { sql } from 'kysely';
import type { ComponentStatus, Executor, MaintenanceStatus, NewRow, RowUpdate } from '../../db/schema.ts';

// The SQL of the public status page: settings, components and groups, their status history,
// scheduled maintenance, and the incidents (with external updates) the page shows.

export function findSettings(db: Executor) {
  return db.selectFrom('status_page_settings').selectAll().where('id', '=', 1).executeTakeFirst();
}

export function upsertSettings(
  db: Executor,
  row: { name: string; languages: string[]; guard_patterns: unknown[]; updated_at: Date },
) {
  const set = {
    name: row.name,
    languages: JSON.stringify(row.languages),
    guard_patterns: JSON.stringify(row.guard_patterns),
    updated_at: row.updated_at,
  };
  return db
    .insertInto('status_page_settings')
    .values({ id: 1, ...set })
    .onConflict((oc) => oc.column('id').doUpdateSet(set))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listComponents(db: Executor) {
  return db.selectFrom('status_page_components').selectAll().orderBy('position').orderBy('name').execute();
}

export function findComponentByName(db: Executor, name: string) {
  return db.selectFrom('status_page_components').selectAll().where('name', '=', name).executeTakeFirst();
}

export function lockComponentByName(db: Executor, name: string) {
  return db
    .selectFrom('status_page_components')
    .selectAll()
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();
}

export function findComponentsByName(db: Executor, names: string[]) {
  if (names.length === 0) return Promise.resolve([]);
  return db.selectFrom('status_page_components').selectAll().where('name', 'in', names).execute();
}

export function insertComponent(db: Executor, row: NewRow<'status_page_components'>) {
  return db.insertInto('status_page_components').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateComponent(db: Executor, id: string, set: RowUpdate<'status_page_components'>) {
  return db
    .updateTable('status_page_components')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function deleteComponent(db: Executor, id: string) {
  return db.deleteFrom('status_page_components').where('id', '=', id).execute();
}

export function countChildren(db: Executor, groupId: string) {
  return db
    .selectFrom('status_page_components')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
}

export function insertComponentChange(db: Executor, row: NewRow<'status_page_component_changes'>) {
  return db.insertInto('status_page_component_changes').values(row).execute();
}

/** Status changes of every component at or after `from`, oldest first. */
export function componentChangesSince(db: Executor, from: Date) {
  return db
    .selectFrom('status_page_component_changes')
    .select(['component_id', 'status', 'at'])
    .where('at', '>=', from)
    .orderBy('component_id')
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** Each component's status in force just before `from` (its last change before then). */
export async function statusesBefore(db: Executor, from: Date): Promise<Map<string, ComponentStatus>> {
  const rows = await db
    .selectFrom('status_page_component_changes')
    .distinctOn('component_id')
    .select(['component_id', 'status'])
    .where('at', '<', from)
    .orderBy('component_id')
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((r) => [String(r.component_id), r.status]));
}

export function linkIncidentComponent(db: Executor, incidentId: string, componentId: string) {
  return db
    .insertInto('status_page_incident_components')
    .values({ incident_id: incidentId, component_id: componentId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export function incidentComponents(db: Executor, incidentIds: string[]) {
  if (incidentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('status_page_incident_components')
    .select(['incident_id', 'component_id'])
    .where('incident_id', 'in', incidentIds)
    .execute();
}

/** Incidents the page may show: those with a published external update, newest first, plus any open one. */
export function publicIncidents(db: Executor, limit: number) {
  return db
    .selectFrom('incidents')
    .select([
      'id',
      'title',
      'confidential',
      'code_name',
      'severity',
      'state',
      'plan_name',
      'plan_version',
      'customer_facing',
      'declared_at',
      'detected_at',
      'status_page_at',
      'resolved_at',
      'updated_at',
    ])
    .where('status_page_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('resolved_at', 'is', null),
        eb(
          'id',
          'in',
          eb
            .selectFrom('incidents as recent')
            .select('recent.id')
            .where('recent.status_page_at', 'is not', null)
            .orderBy('recent.declared_at', 'desc')
            .limit(limit),
        ),
      ]),
    )
    .orderBy('declared_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function externalUpdates(db: Executor, incidentIds: string[]) {
  if (incidentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('incident_updates')
    .select(['id', 'incident_id', 'state', 'bodies', 'published_at', 'created_at'])
    .where('incident_id', 'in', incidentIds)
    .where('audience', '=', 'external')
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Maintenances not completed, and those that ended (or were completed) after `since`. */
export function listMaintenances(db: Executor, since: Date) {
  return db
    .selectFrom('status_page_maintenances')
    .selectAll()
    .where((eb) => eb.or([eb('status', '<>', 'completed'), eb('updated_at', '>=', since)]))
    .orderBy('scheduled_for', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function lockMaintenance(db: Executor, id: string) {
  return db
    .selectFrom('status_page_maintenances')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Automatic maintenances whose window the clock has reached (to start or to complete), locked; a
 * maintenance another engine holds is skipped (it moves it).
 */
export function dueMaintenances(db: Executor, now: Date, limit: number) {
  return db
    .selectFrom('status_page_maintenances')
    .selectAll()
    .where('status', 'in', ['scheduled', 'in_progress'])
    .where((eb) =>
      eb.or([
        eb.and([eb('auto_start', '=', true), eb('status', '=', 'scheduled'), eb('scheduled_for', '<=', now)]),
        eb.and([eb('auto_complete', '=', true), eb('scheduled_until', '<=', now)]),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Moves a maintenance from one status to another; undefined when it is no longer in `from`. */
export function moveMaintenance(
  db: Executor,
  id: string,
  from: MaintenanceStatus,
  to: MaintenanceStatus,
  at: Date,
) {
  return db
    .updateTable('status_page_maintenances')
    .set({ status: to, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}

export function insertMaintenance(db: Executor, row: NewRow<'status_page_maintenances'>) {
  return db.insertInto('status_page_maintenances').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateMaintenance(db: Executor, id: string, set: RowUpdate<'status_page_maintenances'>) {
  return db
    .updateTable('status_page_maintenances')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function setMaintenanceComponents(db: Executor, maintenanceId: string, componentIds: string[]) {
  if (componentIds.length === 0) return Promise.resolve();
  return db
    .insertInto('status_page_maintenance_components')
    .values(componentIds.map((component_id) => ({ maintenance_id: maintenanceId, component_id })))
    .onConflict((oc) => oc.doNothing())
    .execute()
    .then(() => undefined);
}

export function maintenanceComponents(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('status_page_maintenance_components')
    .select(['maintenance_id', 'component_id'])
    .where('maintenance_id', 'in', ids)
    .execute();
}

export function insertMaintenanceUpdate(db: Executor, row: NewRow<'status_page_maintenance_updates'>) {
  return db
    .insertInto('status_page_maintenance_updates')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function maintenanceUpdates(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('status_page_maintenance_updates')
    .selectAll()
    .where('maintenance_id', 'in', ids)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Languages of the current version of every plan, for a page that names none of its own. */
export async function planLanguages(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('plans')
    .innerJoin('plan_versions', (j) =>
      j
        .onRef('plan_versions.plan_name', '=', 'plans.name')
        .onRef('plan_versions.version', '=', 'plans.current_version'),
    )
    .select(sql<unknown>`plan_versions.spec -> 'languages'`.as('languages'))
    .orderBy('plans.name')
    .execute();
  return rows.flatMap((r) => (Array.isArray(r.languages) ? r.languages.map(String) : []));
}

/**
 * A fingerprint of everything the page shows: it changes whenever something the page renders
 * changes (in any instance), so a cached render is reused until then. xmin (the transaction that
 * last wrote a row) catches changes that keep a timestamp, counts catch deletions.
 */
export async function pageStamp(db: Executor): Promise<string> {
  const { rows } = await sql<{ stamp: string }>`
    select concat_ws('|',
      (select max(xmin::text::bigint)::text || ':' || count(*) from status_page_settings),
      (select max(xmin::text::bigint)::text || ':' || count(*) from status_page_components),
      (select max(xmin::text::bigint)::text || ':' || count(*) from status_page_maintenances),
      (select max(id)::text from status_page_maintenance_updates),
      (select count(*)::text from status_page_incident_components),
      (select max(published_at)::text || ':' || count(*) from incident_updates
        where audience = 'external' and status = 'published'),
      (select max(xmin::text::bigint)::text || ':' || count(*) from incidents where status_page_at is not null),
      (select max(xmin::text::bigint)::text || ':' || count(*) from plans)
    ) as stamp`.execute(db);
  return rows[0]?.stamp ?? '';
}

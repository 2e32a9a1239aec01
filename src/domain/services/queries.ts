import type { Executor, NewRow, RowUpdate } from '../../db/schema.ts';

export function findService(db: Executor, name: string) {
  return db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findServiceById(db: Executor, id: string) {
  return db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockService(db: Executor, name: string) {
  return db.selectFrom('services').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

export function listServices(db: Executor) {
  return db
    .selectFrom('services')
    .leftJoin('teams', 'teams.id', 'services.team_id')
    .selectAll('services')
    .select('teams.name as team')
    .orderBy('services.name')
    .execute();
}

export function insertService(db: Executor, row: NewRow<'services'>) {
  return db.insertInto('services').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateService(db: Executor, id: string, set: RowUpdate<'services'>) {
  return db.updateTable('services').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function listIntegrations(db: Executor, serviceId: string) {
  return db
    .selectFrom('integrations')
    .selectAll()
    .where('service_id', '=', serviceId)
    .orderBy('id')
    .execute();
}

export function findIntegration(db: Executor, serviceId: string, name: string) {
  return db
    .selectFrom('integrations')
    .selectAll()
    .where('service_id', '=', serviceId)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** The live integration behind an inbound key, with its service. */
export function integrationByKey(db: Executor, key: string) {
  return db
    .selectFrom('integrations')
    .innerJoin('services', 'services.id', 'integrations.service_id')
    .selectAll('integrations')
    .select(['services.name as service_name'])
    .where('integrations.key', '=', key)
    .where('integrations.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Which of these inbound keys still belong to a live integration (key → integration id). */
export async function liveIntegrationKeys(db: Executor, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('integrations')
    .select(['id', 'key'])
    .where('key', 'in', keys)
    .where('disabled_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.key, r.id]));
}

export function insertIntegration(db: Executor, row: NewRow<'integrations'>) {
  return db.insertInto('integrations').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateIntegration(db: Executor, id: string, set: RowUpdate<'integrations'>) {
  return db
    .updateTable('integrations')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function lockIntegration(db: Executor, serviceId: string, name: string) {
  return db
    .selectFrom('integrations')
    .selectAll()
    .where('service_id', '=', serviceId)
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();
}

/** Whichever integration holds a key, disabled ones included (keys are unique across all). */
export function integrationHoldingKey(db: Executor, key: string) {
  return db
    .selectFrom('integrations')
    .innerJoin('services', 'services.id', 'integrations.service_id')
    .select(['integrations.id', 'integrations.name', 'services.name as service_name'])
    .where('integrations.key', '=', key)
    .executeTakeFirst();
}

/** A service with its team's name (for comparing a Service document with the store). */
export function findServiceWithTeam(db: Executor, name: string) {
  return db
    .selectFrom('services')
    .leftJoin('teams', 'teams.id', 'services.team_id')
    .selectAll('services')
    .select('teams.name as team')
    .where('services.name', '=', name)
    .executeTakeFirst();
}

/** The services named, and every service on one of the plans named (to check who they page). */
export function servicesNamedOrOnPlans(db: Executor, names: string[], plans: string[]) {
  if (names.length === 0 && plans.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('services')
    .select(['name', 'plan_name', 'escalation_policy'])
    .where((eb) =>
      eb.or([
        ...(names.length > 0 ? [eb('name', 'in', names)] : []),
        ...(plans.length > 0 ? [eb('plan_name', 'in', plans)] : []),
      ]),
    )
    .orderBy('name')
    .execute();
}

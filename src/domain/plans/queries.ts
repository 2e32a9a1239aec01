import { sql } from 'kysely';
import type { Executor, NewRow } from '../../db/schema.ts';

export function findPlan(db: Executor, name: string) {
  return db.selectFrom('plans').selectAll().where('name', '=', name).executeTakeFirst();
}

export function lockPlan(db: Executor, name: string) {
  return db.selectFrom('plans').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

export function listPlans(db: Executor) {
  return db
    .selectFrom('plans')
    .innerJoin('plan_versions', (j) =>
      j
        .onRef('plan_versions.plan_name', '=', 'plans.name')
        .onRef('plan_versions.version', '=', 'plans.current_version'),
    )
    .select([
      'plans.name',
      'plans.current_version',
      'plans.updated_at',
      'plan_versions.digest',
      'plan_versions.spec',
    ])
    .orderBy('plans.name')
    .execute();
}

export function findVersion(db: Executor, name: string, version: number) {
  return db
    .selectFrom('plan_versions')
    .selectAll()
    .where('plan_name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
}

/**
 * A plan's head and one version (default: the current one) in one round trip, without the version's
 * spec and source: the caller takes those from its cache by digest, or reads them (versionContent).
 */
export function findVersionHead(db: Executor, name: string, version?: number) {
  return db
    .selectFrom('plans')
    .innerJoin('plan_versions', (j) =>
      j
        .onRef('plan_versions.plan_name', '=', 'plans.name')
        .on('plan_versions.version', '=', version ?? sql<number>`plans.current_version`),
    )
    .select([
      'plans.current_version',
      'plan_versions.version',
      'plan_versions.digest',
      'plan_versions.created_at',
      'plan_versions.created_by',
    ])
    .where('plans.name', '=', name)
    .executeTakeFirst();
}

export function versionContent(db: Executor, name: string, version: number) {
  return db
    .selectFrom('plan_versions')
    .select(['spec', 'source'])
    .where('plan_name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
}

export function listVersions(db: Executor, name: string) {
  return db
    .selectFrom('plan_versions')
    .select(['plan_name', 'version', 'digest', 'created_at', 'created_by'])
    .where('plan_name', '=', name)
    .orderBy('version', 'desc')
    .execute();
}

export function insertPlan(db: Executor, row: NewRow<'plans'>) {
  return db.insertInto('plans').values(row).execute();
}

export function setCurrentVersion(db: Executor, name: string, version: number, at: Date) {
  return db
    .updateTable('plans')
    .set({ current_version: version, updated_at: at })
    .where('name', '=', name)
    .execute();
}

export function insertVersion(db: Executor, row: NewRow<'plan_versions'>) {
  return db.insertInto('plan_versions').values(row).execute();
}

// --- readiness (issue 15 §6) -----------------------------------------------------------------------

/** The plan's services with their owners: a team or an escalation policy. */
export function servicesOfPlan(db: Executor, plan: string) {
  return db
    .selectFrom('services')
    .leftJoin('teams', 'teams.id', 'services.team_id')
    .select(['services.name', 'teams.name as team', 'services.escalation_policy'])
    .where('services.plan_name', '=', plan)
    .orderBy('services.name')
    .execute();
}

/** When the plan's last exercise incident was declared (null: never). */
export async function lastExerciseAt(db: Executor, plan: string): Promise<Date | null> {
  const row = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.max('declared_at').as('at'))
    .where('plan_name', '=', plan)
    .where('exercise', '=', true)
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

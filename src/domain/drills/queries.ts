import type { Executor } from '../../db/schema.ts';

export function publishedUpdates(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_updates')
    .select(['audience', 'published_at'])
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'published')
    .orderBy('published_at')
    .execute();
}

export function workflowRuns(db: Executor, incidentId: string) {
  return db
    .selectFrom('workflow_runs')
    .select(['workflow', 'trigger_key', 'fired_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('fired_at')
    .orderBy('id')
    .execute();
}

export function targetBreaches(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_target_breaches')
    .select(['target', 'due_at', 'breached_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('breached_at')
    .execute();
}

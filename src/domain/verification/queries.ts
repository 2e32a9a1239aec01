import { sql } from 'kysely';
import type { Executor, Row, VerificationCheck, VerificationResult } from '../../db/schema.ts';

export type VerificationRow = Row<'incident_verifications'>;

export function insertVerification(
  db: Executor,
  v: {
    incidentId: string;
    state: string;
    returnState: string;
    checks: VerificationCheck[];
    startedAt: Date;
    windowMs: number;
    intervalMs: number;
  },
) {
  return db
    .insertInto('incident_verifications')
    .values({
      incident_id: v.incidentId,
      state: v.state,
      return_state: v.returnState,
      checks: JSON.stringify(v.checks),
      started_at: v.startedAt,
      window_ms: v.windowMs,
      interval_ms: v.intervalMs,
      // The first run is due at once: a check already out of bounds is caught straight away.
      next_run_at: v.startedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends whatever verification of the incident is still watching (it left the state, or a new one starts). */
export function cancelWatching(db: Executor, incidentId: string, now: Date, reason: string) {
  return db
    .updateTable('incident_verifications')
    .set({ status: 'cancelled', ended_at: now, reason })
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'watching')
    .execute();
}

export function findWatching(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_verifications')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'watching')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** The incident's verifications, newest first. */
export function listForIncident(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_verifications')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id', 'desc')
    .execute();
}

/** Claims the watching verifications that are due (see checks/probes.ts: claim, run, record). */
export async function claimDue(tx: Executor, now: Date, limit: number): Promise<VerificationRow[]> {
  const { rows } = await sql<VerificationRow>`
    update incident_verifications v
    set next_run_at = ${now}::timestamptz + v.interval_ms * interval '1 millisecond',
        run_seq = v.run_seq + 1
    where v.id in (
      select id from incident_verifications
      where status = 'watching' and next_run_at <= ${now}
      order by next_run_at
      limit ${limit}
      for update skip locked)
    returning v.*`.execute(tx);
  return rows;
}

export function lockVerification(db: Executor, id: string) {
  return db
    .selectFrom('incident_verifications')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function recordRun(
  db: Executor,
  id: string,
  run: { runSeq: string; ranAt: Date; results: VerificationResult[] },
) {
  return db
    .updateTable('incident_verifications')
    .set({ recorded_seq: run.runSeq, last_run_at: run.ranAt, last_results: JSON.stringify(run.results) })
    .where('id', '=', id)
    .execute();
}

export function endVerification(
  db: Executor,
  id: string,
  end: { status: 'passed' | 'failed'; at: Date; reason: string },
) {
  return db
    .updateTable('incident_verifications')
    .set({ status: end.status, ended_at: end.at, reason: end.reason })
    .where('id', '=', id)
    .execute();
}

import type { Executor, Row } from '../../db/schema.ts';

// What a transition without a lock (change.ts moveWithoutLock) needs to know of a public incident —
// its state, resolved_at and plan version (with the digest that finds the plan in the cache) — as
// this process last wrote or read it, so that the next move of it does not read the row first: the
// move's statement is conditional on exactly these columns (queries.ts moveStateIfUnchanged), so a
// basis that is out of date (another instance or another operation changed the incident since)
// makes it change nothing, and the move then reads the row as before. A hint, never an answer.

export type MoveBasis = Pick<
  Row<'incidents'>,
  'id' | 'state' | 'resolved_at' | 'plan_name' | 'plan_version'
> & {
  planDigest: string | null | undefined;
};

/** Enough for the incidents being worked on; the oldest written is dropped first. */
const MAX_BASES = 4096;

// One per pool (as the announcers in queries.ts): two stores in one process never share ids.
const bases = new WeakMap<Executor, Map<string, MoveBasis>>();

/** The basis last remembered for the incident, if any. */
export function moveBasisOf(db: Executor, incidentId: string): MoveBasis | undefined {
  return bases.get(db)?.get(incidentId);
}

/** Remembers the incident as just written or read (public incidents only: a move checks nothing else). */
export function rememberMoveBasis(
  db: Executor,
  incident: Pick<
    Row<'incidents'>,
    'id' | 'state' | 'resolved_at' | 'plan_name' | 'plan_version' | 'confidential'
  >,
  planDigest: string | null | undefined,
): void {
  let known = bases.get(db);
  if (!known) {
    known = new Map();
    bases.set(db, known);
  }
  known.delete(incident.id);
  if (incident.confidential) return;
  known.set(incident.id, {
    id: incident.id,
    state: incident.state,
    resolved_at: incident.resolved_at,
    plan_name: incident.plan_name,
    plan_version: incident.plan_version,
    planDigest,
  });
  if (known.size > MAX_BASES) {
    const oldest = known.keys().next().value;
    if (oldest !== undefined) known.delete(oldest);
  }
}

/** Forgets the incident's basis (it turned out to be out of date). */
export function forgetMoveBasis(db: Executor, incidentId: string): void {
  bases.get(db)?.delete(incidentId);
}

import { sql } from 'kysely';
import type { Executor, NewRow, Row } from '../../db/schema.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { type EngineEvent, EVENT_COLUMNS, engineEventColumnsOf } from '../incidents/queries.ts';
import type { LastUpdates, TimerMoments } from './snapshot.ts';

// SQL of the workflow engine, including what its actions write into incident tables.

/**
 * `= any($1::bigint[])`: one array parameter for a set of ids, however many (an `in` list binds one
 * parameter per id, and PostgreSQL refuses more than 65,535 in one statement).
 */
function anyId(ids: readonly string[]) {
  return sql<string>`any(${ids}::bigint[])`;
}

const byId = (a: { id: string }, b: { id: string }) =>
  BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0;

/** An event a workflow pass consumes, and whether its incident is resolved. */
export type ClaimedEvent = Pick<
  Row<'incident_events'>,
  'id' | 'incident_id' | 'kind' | 'data' | 'at' | 'actor_id' | 'actor_name'
> & { resolved: boolean };

/**
 * Marks the events `picked` selects processed and, in the same statement, their incidents' timers due
 * (incident_timers: their timelines changed — declared, an update, a state, a severity, a page, a role:
 * what timers count from — so the workflow-timers pass works their timers out again; always a write,
 * even on a row already due, so a pass that read it before the change fails its version check in
 * setTimersAt). The claiming transaction commits the mark with the firings, or neither. `picked` must
 * lock the rows it selects. Returned in id order, each saying whether its incident is resolved (a
 * resolved incident's late targets are settled from any of its events).
 */
async function claimAndMark(db: Executor, picked: ReturnType<typeof sql>, at: Date): Promise<ClaimedEvent[]> {
  const { rows } = await sql<ClaimedEvent>`
    with picked as (${picked}),
    marked as (
      update incident_events e set processed_at = ${at}::timestamptz
      from picked where e.id = picked.id
      returning e.id, e.incident_id, e.kind, e.data, e.at, e.actor_id, e.actor_name
    ),
    due as (
      insert into incident_timers (incident_id, due_at)
      select distinct incident_id, '-infinity'::timestamptz from marked order by incident_id
      on conflict (incident_id) do update set due_at = '-infinity'
    )
    select marked.*, exists (
      select 1 from incidents i where i.id = marked.incident_id and i.resolved_at is not null
    ) as resolved
    from marked
  `.execute(db);
  return rows.map((r) => ({ ...r, id: String(r.id), incident_id: String(r.incident_id) })).sort(byId);
}

/** Claims the oldest unprocessed events (skipping those another instance holds); see claimAndMark. */
export function claimEvents(db: Executor, limit: number, at: Date): Promise<ClaimedEvent[]> {
  return claimAndMark(
    db,
    sql`select id from incident_events where processed_at is null order by id limit ${limit} for update skip locked`,
    at,
  );
}

/** Every unprocessed event of these incidents (those this transaction declared); see claimAndMark. */
export function claimEventsOfIncidents(
  db: Executor,
  incidentIds: string[],
  at: Date,
): Promise<ClaimedEvent[]> {
  return claimAndMark(
    db,
    sql`select id from incident_events where incident_id = ${anyId(incidentIds)} and processed_at is null order by id for update`,
    at,
  );
}

export function findIncidents(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('incidents').selectAll().where('id', '=', anyId(ids)).execute();
}

export function findIncident(db: Executor, id: string) {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** How long after resolution timers anchored on it (post-mortem due, follow-ups) keep running. */
export const AFTER_RESOLUTION_DAYS = 30;

/**
 * The incidents whose timers are due (incident_timers.due_at <= now, -infinity first) and those with
 * timeline events not processed yet (a new incident, a change the events pass has not seen: looked
 * at in this pass, before the events pass, as every open incident was), at most `limit`. Each comes
 * with the version (xmin) of its incident_timers row ('' when it has none) for setTimersAt. No row
 * lock: a change to one of them meanwhile marks it due again (claimAndMark), changing that version.
 */
export async function dueTimerIncidents(
  db: Executor,
  now: Date,
  limit: number,
): Promise<{ rows: Row<'incidents'>[]; versions: Map<string, string> }> {
  const found = await db
    .selectFrom('incidents')
    .leftJoin('incident_timers as t', 't.incident_id', 'incidents.id')
    .selectAll('incidents')
    .select(sql<string>`coalesce(t.xmin::text, '')`.as('timers_version'))
    .where('incidents.id', 'in', (eb) =>
      eb
        .selectFrom('incident_timers')
        .select('incident_id')
        .where('due_at', '<=', now)
        .union(eb.selectFrom('incident_events').select('incident_id').where('processed_at', 'is', null)),
    )
    .orderBy(sql`t.due_at nulls first`)
    .orderBy('incidents.id')
    .limit(limit)
    .execute();
  const versions = new Map<string, string>();
  const rows = found.map(({ timers_version, ...row }) => {
    versions.set(String(row.id), timers_version);
    return row;
  });
  return { rows, versions };
}

/**
 * Sets when each incident's timers are next due (null: not until its timeline changes), unless it
 * was marked due since `version` was read: then it stays due, and the next pass works it out again.
 * An incident read without a row gets one, unless one was made meanwhile.
 */
export async function setTimersAt(
  db: Executor,
  next: { id: string; version: string; at: Date | null }[],
): Promise<void> {
  if (next.length === 0) return;
  await sql`
    with n as (
      select * from unnest(${next.map((n) => n.id)}::bigint[], ${next.map((n) => n.version)}::text[],
                           ${next.map((n) => n.at?.toISOString() ?? null)}::timestamptz[]) as n(id, version, at)
    ), updated as (
      update incident_timers t set due_at = n.at
        from n where t.incident_id = n.id and n.version <> '' and t.xmin::text = n.version
    )
    insert into incident_timers (incident_id, due_at)
    select id, at from n where version = ''
    on conflict (incident_id) do nothing
  `.execute(db);
}

/** When each incident's internal and external audiences last got a published update. */
export async function lastPublishedUpdates(db: Executor, ids: string[]): Promise<LastUpdates> {
  const out: LastUpdates = new Map();
  if (ids.length === 0) return out;
  // The latest published update of each audience, with the next update its author promised.
  const rows = await db
    .selectFrom('incident_updates')
    .distinctOn(['incident_id', 'audience'])
    .select(['incident_id', 'audience', 'published_at', 'next_update_at'])
    .where('status', '=', 'published')
    .where('incident_id', '=', anyId(ids))
    .orderBy('incident_id')
    .orderBy('audience')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) {
    const key = String(row.incident_id);
    const entry = out.get(key) ?? {
      internal: null,
      external: null,
      next: { internal: null, external: null },
    };
    entry[row.audience] = row.published_at ? new Date(row.published_at) : null;
    entry.next[row.audience] = row.next_update_at ? new Date(row.next_update_at) : null;
    out.set(key, entry);
  }
  return out;
}

/**
 * Timer anchors kept off the incident row: its last page (a `paging.step` on its timeline) and when
 * each role was last assigned. One statement for all the incidents.
 */
export async function timerMoments(db: Executor, ids: string[]): Promise<TimerMoments> {
  const out: TimerMoments = new Map();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('incident_events')
    .select(['incident_id', sql<string>`'page'`.as('what'), sql<Date>`max(at)`.as('at')])
    .where('incident_id', '=', anyId(ids))
    .where('kind', '=', EVENT_KINDS.pageSent)
    .groupBy('incident_id')
    .unionAll(
      db
        .selectFrom('incident_roles')
        .select(['incident_id', sql<string>`'role:' || role`.as('what'), 'assigned_at as at'])
        .where('incident_id', '=', anyId(ids)),
    )
    .unionAll(
      db
        .selectFrom('postmortems')
        .select(['incident_id', sql<string>`'postmortem'`.as('what'), sql<Date>`published_at`.as('at')])
        .where('incident_id', '=', anyId(ids))
        .where('published_at', 'is not', null),
    )
    .execute();
  for (const row of rows) {
    const key = String(row.incident_id);
    const entry = out.get(key) ?? { last_page_at: null, role_assigned_at: {} };
    if (row.what === 'page') entry.last_page_at = new Date(row.at);
    else if (row.what === 'postmortem') entry.postmortem_published_at = new Date(row.at);
    else entry.role_assigned_at[row.what.slice('role:'.length)] = new Date(row.at);
    out.set(key, entry);
  }
  return out;
}

export interface RunKey {
  incident_id: string;
  workflow: string;
  trigger_key: string;
}

export function runKeyOf(k: RunKey): string {
  return `${k.incident_id}\u0000${k.workflow}\u0000${k.trigger_key}`;
}

/** Which of these firings already happened (one query for a whole tick's candidates). */
export async function existingRuns(db: Executor, keys: RunKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await sql<RunKey>`
    select r.incident_id::text as incident_id, r.workflow, r.trigger_key
    from workflow_runs r
    join unnest(${keys.map((k) => k.incident_id)}::bigint[], ${keys.map((k) => k.workflow)}::text[],
                ${keys.map((k) => k.trigger_key)}::text[]) as c(incident_id, workflow, trigger_key)
      on r.incident_id = c.incident_id and r.workflow = c.workflow and r.trigger_key = c.trigger_key
  `.execute(db);
  return new Set(rows.map(runKeyOf));
}

/** Inserts a run unless this firing already happened; the id only when this call inserted it. */
export async function insertRun(db: Executor, row: NewRow<'workflow_runs'>): Promise<string | undefined> {
  const inserted = await db
    .insertInto('workflow_runs')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'workflow', 'trigger_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted ? String(inserted.id) : undefined;
}

/**
 * insertRun and, when it inserted (the claim), the incident's workflow.fired event naming the run
 * (its data gains `workflow_run`: the new id), in one statement. Returns the run's id.
 */
export async function insertRunWithEvent(
  db: Executor,
  row: NewRow<'workflow_runs'>,
  event: EngineEvent,
): Promise<string | undefined> {
  const inserted = await db
    .with('run', (c) =>
      c
        .insertInto('workflow_runs')
        .values(row)
        .onConflict((oc) => oc.columns(['incident_id', 'workflow', 'trigger_key']).doNothing())
        .returning('id'),
    )
    .with('ev', (c) =>
      c
        .insertInto('incident_events')
        .columns(EVENT_COLUMNS)
        .expression((eb) =>
          eb.selectFrom('run').select(engineEventColumnsOf(event, 'workflow_run', 'run.id')),
        )
        .returning('id'),
    )
    .selectFrom('run')
    .select('id')
    .executeTakeFirst();
  return inserted ? String(inserted.id) : undefined;
}

/**
 * insertRunWithEvent for several firings in one statement (a pass's first firing of each incident,
 * one per incident): each run is inserted unless that firing already happened (the same claim, on
 * conflict do nothing), and each inserted run's workflow.fired event with it, both in the given order.
 * Returns, per input row in order, the run's id when this statement inserted it.
 */
export async function insertRunsWithEvents(
  db: Executor,
  rows: { run: NewRow<'workflow_runs'> & { source: 'plan' | 'workflow' }; event: EngineEvent }[],
): Promise<(string | undefined)[]> {
  if (rows.length === 0) return [];
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const { rows: inserted } = await sql<{
    id: string;
    incident_id: string;
    workflow: string;
    trigger_key: string;
  }>`
    with v as (
      select * from unnest(
        ${col((r) => r.run.incident_id)}::bigint[], ${col((r) => r.run.plan_name)}::text[],
        ${col((r) => r.run.plan_version)}::int[], ${col((r) => r.run.workflow)}::text[],
        ${col((r) => r.run.trigger_key)}::text[], ${col((r) => r.run.fired_at)}::timestamptz[],
        ${col((r) => r.run.actions)}::jsonb[], ${col((r) => r.run.source)}::text[],
        ${col((r) => r.event.at)}::timestamptz[], ${col((r) => r.event.kind)}::text[],
        ${col((r) => r.event.actor_name)}::text[], ${col((r) => JSON.stringify(r.event.data))}::jsonb[],
        ${col((r) => r.event.processed_at ?? null)}::timestamptz[]
      ) with ordinality as v(incident_id, plan_name, plan_version, workflow, trigger_key, fired_at, actions,
                             source, ev_at, ev_kind, ev_actor, ev_data, ev_processed, ord)
    ),
    run as (
      insert into workflow_runs (incident_id, plan_name, plan_version, workflow, trigger_key, fired_at, actions, source)
      select incident_id, plan_name, plan_version, workflow, trigger_key, fired_at, actions, source
      from v order by ord
      on conflict (incident_id, workflow, trigger_key) do nothing
      returning id, incident_id, workflow, trigger_key
    ),
    ev as (
      insert into incident_events (incident_id, at, kind, actor_id, actor_name, data, processed_at)
      select v.incident_id, v.ev_at, v.ev_kind, null, v.ev_actor,
             v.ev_data || jsonb_build_object('workflow_run', run.id::text), v.ev_processed
      from run join v using (incident_id, workflow, trigger_key) order by v.ord
      returning id
    )
    select id::text, incident_id::text, workflow, trigger_key from run
  `.execute(db);
  const ids = new Map(inserted.map((r) => [runKeyOf(r), String(r.id)]));
  return rows.map((r) =>
    ids.get(
      runKeyOf({
        incident_id: String(r.run.incident_id),
        workflow: r.run.workflow,
        trigger_key: r.run.trigger_key,
      }),
    ),
  );
}

/**
 * setRunActionsAudited for several runs in one statement (a batch of firings: db/tx-memo.ts), their
 * audit entries as a CTE.
 */
export async function setRunsActionsAudited(
  db: Executor,
  runs: { id: string; actions: unknown[]; audit: NewRow<'audit_log'> }[],
): Promise<void> {
  if (runs.length === 0) return;
  const update = sql`(update workflow_runs w set actions = v.actions
    from unnest(${runs.map((r) => r.id)}::bigint[], ${runs.map((r) => JSON.stringify(r.actions))}::jsonb[])
      as v(id, actions)
    where w.id = v.id returning w.id)`;
  await db
    .with('updated', () => update as never)
    .insertInto('audit_log')
    .values(runs.map((r) => r.audit))
    .execute();
}

/** Records a run's outcomes and its audit entry in one statement (the audit as a CTE). */
export async function setRunActionsAudited(
  db: Executor,
  id: string,
  actions: unknown[],
  audit: NewRow<'audit_log'>,
): Promise<void> {
  await db
    .with('audited', (c) => c.insertInto('audit_log').values(audit).returning('id'))
    .updateTable('workflow_runs')
    .set({ actions: JSON.stringify(actions) })
    .where('id', '=', id)
    .execute();
}

export async function setRunActions(db: Executor, id: string, actions: unknown[]): Promise<void> {
  await db
    .updateTable('workflow_runs')
    .set({ actions: JSON.stringify(actions) })
    .where('id', '=', id)
    .execute();
}

/** Runs per incident since a time (the runaway cap). */
export async function runCountsSince(db: Executor, ids: string[], since: Date): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('workflow_runs')
    .select(['incident_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('incident_id', '=', anyId(ids))
    .where('fired_at', '>=', since)
    .groupBy('incident_id')
    .execute();
  return new Map(rows.map((r) => [String(r.incident_id), Number(r.n)]));
}

export function listRuns(db: Executor, incidentId: string, limit: number) {
  return db
    .selectFrom('workflow_runs')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('fired_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function appendEvent(
  db: Executor,
  event: { incidentId: string; at: Date; kind: string; actorName: string; data: Record<string, unknown> },
): Promise<string> {
  const row = await db
    .insertInto('incident_events')
    .values({
      incident_id: event.incidentId,
      at: event.at,
      kind: event.kind,
      actor_id: null,
      actor_name: event.actorName,
      data: JSON.stringify(event.data),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** The handle of whoever holds an incident role, if anyone. */
export async function roleHolder(
  db: Executor,
  incidentId: string,
  role: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('incident_roles')
    .innerJoin('users', 'users.id', 'incident_roles.user_id')
    .select('users.handle')
    .where('incident_roles.incident_id', '=', incidentId)
    .where('incident_roles.role', '=', role)
    .executeTakeFirst();
  return row?.handle;
}

export async function userIdsByHandle(db: Executor, handles: string[]): Promise<Map<string, string>> {
  if (handles.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'handle']).where('handle', 'in', handles).execute();
  return new Map(rows.map((r) => [r.handle, String(r.id)]));
}

/** Adds responders not yet on the incident; returns the ones added. */
export async function insertResponders(
  db: Executor,
  rows: NewRow<'incident_responders'>[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insertInto('incident_responders')
    .values(rows)
    .onConflict((oc) => oc.columns(['incident_id', 'responder']).doNothing())
    .returning('responder')
    .execute();
  return inserted.map((r) => r.responder);
}

/** Appends an item at the end of an incident's checklist. */
export async function insertChecklistItem(
  db: Executor,
  item: { incidentId: string; checklist: string; text: string; source: string },
): Promise<string> {
  const row = await db
    .insertInto('checklist_items')
    .values((eb) => ({
      incident_id: item.incidentId,
      checklist: item.checklist,
      text: item.text,
      source: item.source,
      position: eb
        .selectFrom('checklist_items')
        .select(sql<number>`coalesce(max(position) + 1, 0)`.as('p'))
        .where('incident_id', '=', item.incidentId)
        .where('checklist', '=', item.checklist),
    }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

export async function insertActionItem(db: Executor, row: NewRow<'action_items'>): Promise<string> {
  const inserted = await db.insertInto('action_items').values(row).returning('id').executeTakeFirstOrThrow();
  return String(inserted.id);
}

/** Incident columns a workflow may set (setField); everything else is a custom field or a label. */
export const SETTABLE_COLUMNS = ['impact', 'service', 'summary', 'customer_facing'] as const;
export type SettableColumn = (typeof SETTABLE_COLUMNS)[number];

export async function setColumn(
  db: Executor,
  incidentId: string,
  column: SettableColumn,
  value: string | boolean,
  at: Date,
): Promise<void> {
  const set =
    column === 'customer_facing'
      ? { customer_facing: value === true || value === 'true' }
      : { [column]: String(value) };
  await db
    .updateTable('incidents')
    .set({ ...set, updated_at: at })
    .where('id', '=', incidentId)
    .execute();
}

/** Sets one key of the incident's `fields` (or `labels`) jsonb without touching the other keys. */
export async function setJsonKey(
  db: Executor,
  incidentId: string,
  column: 'fields' | 'labels',
  key: string,
  value: unknown,
  at: Date,
): Promise<void> {
  const patch = JSON.stringify({ [key]: value });
  await db
    .updateTable('incidents')
    .set({ [column]: sql`${sql.ref(column)} || ${patch}::jsonb`, updated_at: at })
    .where('id', '=', incidentId)
    .execute();
}

/** Records a breach once per incident and target; true when this call recorded it. */
export async function insertBreach(db: Executor, row: NewRow<'incident_target_breaches'>): Promise<boolean> {
  const inserted = await db
    .insertInto('incident_target_breaches')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'target']).doNothing())
    .returning('target')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function savepoint(db: Executor, name: string): Promise<void> {
  await sql`savepoint ${sql.id(name)}`.execute(db);
}

export async function releaseSavepoint(db: Executor, name: string): Promise<void> {
  await sql`release savepoint ${sql.id(name)}`.execute(db);
}

export async function rollbackToSavepoint(db: Executor, name: string): Promise<void> {
  await sql`rollback to savepoint ${sql.id(name)}`.execute(db);
}

/** What workflow texts show beyond the incident row ({incident_commander}, {root_cause}, …). */
export interface RenderFacts {
  commander: string | null;
  acknowledgedBy: string | null;
  rootCause: string | null;
  resolution: string | null;
  message?: string;
  latestUpdate: string | null;
}

type RenderFactsOpts = {
  commanderRole: string | undefined;
  updateId: string | undefined;
  languages?: string[];
};

export async function renderFactsOf(
  db: Executor,
  incidentId: string,
  opts: RenderFactsOpts,
): Promise<RenderFacts> {
  return (await renderFactsOfMany(db, [incidentId], opts)).get(incidentId) ?? factsOf(undefined, opts);
}

/**
 * renderFactsOf for several incidents in one statement (a tick's declared incidents, whose first
 * firings render with the same plan options): incident id → its facts.
 */
export async function renderFactsOfMany(
  db: Executor,
  incidentIds: string[],
  opts: RenderFactsOpts,
): Promise<Map<string, RenderFacts>> {
  if (incidentIds.length === 0) return new Map();
  // One statement (it runs for every workflow firing, on the paging path): the incident with its
  // commander, last acknowledger, confirmed root cause and the triggering update's bodies beside it.
  const rows = await db
    .selectFrom('incidents')
    .select((eb) => [
      'incidents.id',
      'incidents.resolution',
      'incidents.mitigation',
      eb
        .selectFrom('incident_roles')
        .innerJoin('users', 'users.id', 'incident_roles.user_id')
        .select('users.handle')
        .whereRef('incident_roles.incident_id', '=', 'incidents.id')
        .where('incident_roles.role', '=', opts.commanderRole ?? '')
        .limit(1)
        .as('commander'),
      eb
        .selectFrom('incident_events')
        .select('incident_events.actor_name')
        .whereRef('incident_events.incident_id', '=', 'incidents.id')
        .where('incident_events.kind', '=', 'incident.acknowledged')
        .orderBy('incident_events.id', 'desc')
        .limit(1)
        .as('acknowledged_by'),
      eb
        .selectFrom('hypotheses')
        .select('hypotheses.statement')
        .whereRef('hypotheses.incident_id', '=', 'incidents.id')
        .where('hypotheses.status', '=', 'confirmed')
        .orderBy('hypotheses.updated_at', 'desc')
        .limit(1)
        .as('root_cause'),
      eb
        .selectFrom('incident_updates')
        .select('incident_updates.bodies')
        .whereRef('incident_updates.incident_id', '=', 'incidents.id')
        .where('incident_updates.id', '=', opts.updateId ?? '0')
        .limit(1)
        .as('update_bodies'),
      eb
        .selectFrom('incident_updates')
        .select('incident_updates.bodies')
        .whereRef('incident_updates.incident_id', '=', 'incidents.id')
        .where('incident_updates.status', '=', 'published')
        .orderBy('incident_updates.published_at', 'desc')
        .orderBy('incident_updates.id', 'desc')
        .limit(1)
        .as('latest_bodies'),
    ])
    .where('incidents.id', '=', anyId(incidentIds))
    .execute();
  return new Map(rows.map((row) => [String(row.id), factsOf(row, opts)]));
}

function factsOf(
  row:
    | {
        resolution: string | null;
        mitigation: unknown;
        commander: string | null;
        acknowledged_by: string | null;
        root_cause: string | null;
        update_bodies: unknown;
        latest_bodies: unknown;
      }
    | undefined,
  opts: RenderFactsOpts,
): RenderFacts {
  const steps = (row?.mitigation as { steps?: unknown } | null)?.steps;
  const mitigation = Array.isArray(steps) ? steps.map(String).join('; ') : '';
  const bodies = (row?.update_bodies ?? {}) as Record<string, unknown>;
  const message = Object.values(bodies).find((v): v is string => typeof v === 'string');
  const latest = (row?.latest_bodies ?? {}) as Record<string, unknown>;
  const latestUpdate = [...(opts.languages ?? []).map((l) => latest[l]), ...Object.values(latest)].find(
    (v): v is string => typeof v === 'string',
  );
  return {
    latestUpdate: latestUpdate ?? null,
    commander: (opts.commanderRole && row?.commander) || null,
    acknowledgedBy: row?.acknowledged_by ?? null,
    rootCause: row?.root_cause ?? null,
    resolution: row?.resolution || mitigation || null,
    ...(message !== undefined ? { message } : {}),
  };
}

/** Gives a role to a user (replacing any holder). */
export async function setRoleHolder(
  db: Executor,
  row: { incident_id: string; role: string; user_id: string; assigned_at: Date },
): Promise<void> {
  await db
    .insertInto('incident_roles')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['incident_id', 'role']).doUpdateSet({ user_id: row.user_id, assigned_at: row.assigned_at }),
    )
    .execute();
}

/** The latest assignment of a role, as the timeline records it (auto-filled ones carry chain_index). */
export async function lastRoleAssignment(
  db: Executor,
  incidentId: string,
  role: string,
): Promise<Record<string, unknown> | undefined> {
  const row = await db
    .selectFrom('incident_events')
    .select('data')
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'incident.role_assigned')
    .where(sql<boolean>`data->>'role' = ${role}`)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.data;
}

export async function handlesOf(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'handle']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [String(r.id), r.handle]));
}

export async function hasChecklist(db: Executor, incidentId: string, checklist: string): Promise<boolean> {
  const row = await db
    .selectFrom('checklist_items')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('checklist', '=', checklist)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Open incidents per severity id, all plans (workflow condition `if.openIncidents`). */
export async function openIncidentCounts(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('incidents')
    .select(['severity', (eb) => eb.fn.countAll<string>().as('n')])
    .where('resolved_at', 'is', null)
    .groupBy('severity')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.severity, Number(r.n)]));
}

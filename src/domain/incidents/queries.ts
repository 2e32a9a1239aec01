import { type SelectQueryBuilder, sql } from 'kysely';
import { type AnnounceLog, announceCommitted } from '../../db/announce.ts';
import type { Database, Executor, NewRow, Row, RowUpdate } from '../../db/schema.ts';
import { buildingDb, StatementShapes } from '../../db/statement-shapes.ts';
import { Coalescer } from '../../lib/coalescer.ts';
import type { Cursor } from '../../lib/cursor.ts';
import type { Actor } from '../context.ts';
import { type EventKind, UNHEARD_KINDS } from './events.ts';

// The SQL of incidents and everything that hangs off one (timeline, roles, responders,
// hypotheses, checklists, updates, tasks).

/** Reserves the next incident id, so the channel name and correlation id can contain it. */
export async function nextIncidentId(db: Executor): Promise<string> {
  const { rows } = await sql<{
    id: string;
  }>`select nextval(pg_get_serial_sequence('incidents', 'id'))::text as id`.execute(db);
  return (rows[0] as { id: string }).id;
}

export function insertIncident(db: Executor, row: NewRow<'incidents'>) {
  return db.insertInto('incidents').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * nextIncidentId and the current version of a plan (its number and digest: the plan itself comes
 * from the cache by digest, plans/get-plan.ts planOfDigest) in one round trip, for declaring under a
 * named plan. version and digest are null when there is no such plan (the id is spent then, as a
 * rolled-back declaration spends it).
 */
export async function nextIncidentIdAndPlan(
  db: Executor,
  planName: string,
): Promise<{ id: string; version: number | null; digest: string | null }> {
  const { rows } = await sql<{ id: string; version: number | null; digest: string | null }>`
    select nextval(pg_get_serial_sequence('incidents', 'id'))::text as id, h.version, h.digest
    from (select 1) as one
    left join (
      select pv.version, pv.digest from plans p
      join plan_versions pv on pv.plan_name = p.name and pv.version = p.current_version
      where p.name = ${planName}
    ) as h on true`.execute(db);
  return rows[0] as { id: string; version: number | null; digest: string | null };
}

/**
 * A new incident with its first checklist items and plan responders in one statement (one round trip
 * instead of three: declareIncident), and with `writes`, its timeline events and audit entries too
 * (a declaration in one statement: no BEGIN/COMMIT when the caller has no transaction). The
 * children's foreign keys see the incident the same statement inserted (they are checked at its end).
 * The row is given whole, every column (declareIncident), and no trigger changes it before it is
 * stored, so the statement answers only its id: its 36 columns read back cost PostgreSQL their
 * formatting and Node their descriptions and parsing, for the values the caller already has.
 */
export async function insertIncidentWithParts(
  db: Executor,
  row: NewRow<'incidents'>,
  checklist: NewRow<'checklist_items'>[],
  responders: NewRow<'incident_responders'>[],
  writes?: { events: NewRow<'incident_events'>[]; audits: NewRow<'audit_log'>[] },
  log?: AnnounceLog,
): Promise<void> {
  // Announced after the commit (migration 0820) when the statement is its own transaction.
  const announcing = writes !== undefined && !db.isTransaction;
  const audits = writes?.audits ?? [];
  const events = writes?.events ?? [];
  // The statement's shape: whether it announces, and how many rows each part has (the rows follow
  // the incident's among the arguments, in this order).
  const variant = `${announcing ? 'announced' : ''}:${audits.length}:${events.length}:${checklist.length}:${responders.length}`;
  const { rows } = await db.executeQuery(
    declareStatements.compiled(variant, [row, ...audits, ...events, ...checklist, ...responders]),
  );
  const inserted = rows[0];
  if (!inserted) throw new Error(`incident ${String(row.id)} was not inserted`);
  if (announcing) {
    await announceIncidentChange(db, inserted.id, events.some(unprocessed), log);
  }
}

// Built once per shape (statement-shapes.ts), as moveStatements: a declaration's request paid for
// building and compiling its five-part statement (the incident's ~45 columns among them) each time.
const declareStatements = new StatementShapes(
  (variant: string, ...args: Readonly<Record<string, unknown>>[]) => {
    const [announced, ...counts] = variant.split(':');
    const [audits, events, checklist, responders] = counts.map(Number) as [number, number, number, number];
    const row = args[0] as NewRow<'incidents'>;
    let at = 1;
    const take = <T>(n: number) => {
      const part = args.slice(at, at + n) as unknown as T[];
      at += n;
      return part;
    };
    const auditRows = take<NewRow<'audit_log'>>(audits);
    const eventRows = take<NewRow<'incident_events'>>(events);
    const checklistRows = take<NewRow<'checklist_items'>>(checklist);
    const responderRows = take<NewRow<'incident_responders'>>(responders);
    let q = buildingDb
      .with('incident', (c) => c.insertInto('incidents').values(row).returningAll())
      .with('announced', (c) =>
        c.selectNoFrom(announcedAfterCommit(announced === 'announced' ? (row.id as string) : null)),
      );
    if (auditRows.length > 0) {
      q = q.with('audited', (c) => c.insertInto('audit_log').values(auditRows).returning('id')) as typeof q;
    }
    if (eventRows.length > 0) {
      q = q.with('appended', (c) =>
        c.insertInto('incident_events').values(eventRows).returning('id'),
      ) as typeof q;
    }
    // Unused names of the same type: the CTEs are there for their inserts, not their rows.
    if (checklistRows.length > 0) {
      q = q.with('items', (c) =>
        c.insertInto('checklist_items').values(checklistRows).returning('id'),
      ) as typeof q;
    }
    if (responderRows.length > 0) {
      q = q.with('responders', (c) =>
        c.insertInto('incident_responders').values(responderRows).returning('id'),
      ) as typeof q;
    }
    return q.selectFrom(['incident', 'announced']).select('incident.id');
  },
);

const unprocessed = (e: NewRow<'incident_events'>) => e.processed_at === undefined || e.processed_at === null;

/**
 * The CTE column that has a statement's own transaction leave the announcement of incident `id` to its
 * caller (announceIncidentChange, after the commit; migration 0820); without an id, a constant that
 * leaves it to the triggers. A CTE with a volatile function is evaluated once and never inlined, and
 * the statement's result is joined with it, so it is set before the statement's triggers fire (at its
 * end); set_config(…, true) lasts until that transaction ends.
 */
function announcedAfterCommit(id: string | null) {
  return (
    id === null
      ? sql<string | null>`null::text`
      : sql<string | null>`set_config('tocsin.announce_after_commit', ${id}::text, true)`
  ).as('announced');
}

/** A committed change of an incident to announce (announceIncidentChange). */
interface Announcement {
  incidentId: string;
  /**
   * Whether the write left an unprocessed timeline event of the incident; 'if-unprocessed' when the
   * caller cannot tell (a locked change runs whatever its operation does): the statement looks.
   */
  wake: boolean | 'if-unprocessed';
}

// One per pool: the announcements of writes that commit while a batch is in flight go out together.
const announcers = new WeakMap<Executor, Coalescer<Announcement>>();

/**
 * Announces a committed change of an incident, as its triggers would have at the commit (migration
 * 0820): incident.changed to the event hubs, and, when the write left an unprocessed timeline event,
 * the workflow-events wake. In a transaction of its own that writes no WAL, so its commit does not
 * flush while it holds PostgreSQL's notification lock, shared with the announcements of every write
 * that committed while the previous one was being sent (migration 0821: one round trip for them
 * all). Settles once sent, so a write is announced before it is answered, as before. The write is
 * committed whatever happens here: a failure is only logged (a lost announcement costs what a lost
 * NOTIFY does: the engine's next poll, the incident list cache's maximum age), never answered as the
 * write's failure.
 */
export async function announceIncidentChange(
  db: Executor,
  incidentId: string,
  wake: Announcement['wake'],
  log: AnnounceLog,
): Promise<void> {
  let announcer = announcers.get(db);
  if (!announcer) {
    announcer = new Coalescer((batch) => announceIncidents(db, batch));
    announcers.set(db, announcer);
  }
  const add = announcer.add.bind(announcer);
  await announceCommitted(
    () => add({ incidentId, wake }),
    log,
    { incidentId },
    'announcing an incident change failed (the change is committed)',
  );
}

async function announceIncidents(db: Executor, batch: Announcement[]): Promise<void> {
  const ids = [...new Set(batch.map((a) => a.incidentId))];
  const wake = batch.some((a) => a.wake === true);
  const look = wake ? [] : batch.filter((a) => a.wake === 'if-unprocessed').map((a) => a.incidentId);
  await sql`select tocsin_announce_incidents(${ids}::text[], ${wake}, ${look}::bigint[])`.execute(db);
}

export function findIncident(db: Executor, id: string) {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockIncident(db: Executor, id: string) {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * lockIncident with the digest of the incident's plan version (a subquery in the same statement), so
 * an operation finds the plan in the cache by digest without reading a plan row (get-plan.ts).
 */
export async function lockIncidentWithPlanDigest(db: Executor, id: string) {
  const row = await withPlanDigest(db, id)
    // FOR NO KEY UPDATE, the lock an UPDATE of the row takes anyway: writers of the incident still
    // queue, but rows that merely reference it (the engine's workflow runs and events, incident_timers,
    // whose foreign-key checks take FOR KEY SHARE until their transaction commits) no longer make a
    // request wait for the engine's whole batch (FOR UPDATE conflicts with FOR KEY SHARE). The id never
    // changes, so nothing needs the stronger lock.
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const { plan_digest, ...incident } = row;
  return { incident, planDigest: plan_digest };
}

/**
 * The incident and its plan version's digest, read without a lock (its own statement): what a change
 * decides on before it writes with moveStateIfUnchanged, which checks the row still is as read.
 */
export async function findIncidentWithPlanDigest(db: Executor, id: string) {
  const { rows } = await db.executeQuery(findWithPlanDigestStatements.compiled('', [{ id }]));
  const row = rows[0];
  if (!row) return undefined;
  const { plan_digest, ...incident } = row;
  return { incident, planDigest: plan_digest };
}

// Built once (statement-shapes.ts): every transition reads the incident with it first.
const findWithPlanDigestStatements = new StatementShapes((_variant: string, read: { id: string }) =>
  withPlanDigest(buildingDb, read.id),
);

function withPlanDigest(db: Executor, id: string) {
  return db
    .selectFrom('incidents')
    .selectAll('incidents')
    .select((eb) =>
      eb
        .selectFrom('plan_versions')
        .select('plan_versions.digest')
        .whereRef('plan_versions.plan_name', '=', 'incidents.plan_name')
        .whereRef('plan_versions.version', '=', 'incidents.plan_version')
        .as('plan_digest'),
    )
    .where('incidents.id', '=', id);
}

export function updateIncident(db: Executor, id: string, set: RowUpdate<'incidents'>) {
  return db.updateTable('incidents').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export interface IncidentFilter {
  state: 'open' | 'resolved' | 'all';
  severity?: string | undefined;
  /** The incident type (types[].id). */
  type?: string | undefined;
  plan?: string | undefined;
  service?: string | undefined;
  /** The team owning the incident's service (services.team_id). */
  team?: string | undefined;
  /** Only incidents where this user holds a role, is a responder or was sent a page. */
  involving?: string | undefined;
  limit: number;
  offset: number;
  /** Keyset: only incidents strictly after this (declared_at, id) in the list's order. */
  after?: Cursor | undefined;
}

/** Newest first, in the order of the incidents_* indexes; cursor_at is declared_at to the microsecond. */
export function listIncidents(db: Executor, f: IncidentFilter) {
  return listed(
    db.selectFrom('incidents').selectAll().select(sql<string>`declared_at::text`.as('cursor_at')),
    f,
  ).execute();
}

/**
 * How each column of `incidents` is read for an answer written straight to JSON (list-incidents-json.ts),
 * in table order: 'id' (bigint, as text: JSON.stringify writes pg's string), 'time' (as UTC text,
 * written as JSON.stringify writes a Date), 'json' (jsonb as its JSON text), 'value' (text, boolean,
 * integer: as read). list-incidents.test.ts checks it covers every column.
 */
export const INCIDENT_COLUMNS = [
  ['id', 'id'],
  ['title', 'value'],
  ['slug', 'value'],
  ['summary', 'value'],
  ['impact', 'value'],
  ['service', 'value'],
  ['customer_facing', 'value'],
  ['labels', 'json'],
  ['fields', 'json'],
  ['plan_name', 'value'],
  ['plan_version', 'value'],
  ['severity', 'value'],
  ['state', 'value'],
  ['correlation_id', 'value'],
  ['channel_name', 'value'],
  ['mitigation', 'json'],
  ['declared_at', 'time'],
  ['detected_at', 'time'],
  ['acknowledged_at', 'time'],
  ['triaged_at', 'time'],
  ['first_update_at', 'time'],
  ['status_page_at', 'time'],
  ['mitigated_at', 'time'],
  ['resolved_at', 'time'],
  ['state_entered_at', 'time'],
  ['created_by', 'value'],
  ['updated_at', 'time'],
  ['severity_changed_at', 'time'],
  ['type', 'value'],
  ['confidential', 'value'],
  ['code_name', 'value'],
  ['urgency', 'value'],
  ['war_room_url', 'value'],
  ['exercise', 'value'],
  ['resolution', 'value'],
  ['merged_into', 'id'],
] as const satisfies readonly (readonly [keyof Row<'incidents'>, 'id' | 'time' | 'json' | 'value'])[];

/** One list row: each column as INCIDENT_COLUMNS reads it (ids, times and jsonb as text). */
export type IncidentText = Record<(typeof INCIDENT_COLUMNS)[number][0], string | number | boolean | null>;

const incidentText = INCIDENT_COLUMNS.map(([column, kind]) => {
  const ref = sql.ref(`incidents.${column}`);
  // Times as UTC text ("2026-12-04 07:17:49.123456"): no Date is made, list-incidents-json.ts
  // rewrites the text as Date.toJSON would; ids and jsonb as text: nothing is parsed.
  const value =
    kind === 'time'
      ? sql`(${ref} at time zone 'UTC')::text`
      : kind === 'id' || kind === 'json'
        ? sql`${ref}::text`
        : ref;
  return value.as(column);
});

/** listIncidents with every column as INCIDENT_COLUMNS reads it, for an answer written as JSON. */
export function listIncidentsText(db: Executor, f: IncidentFilter) {
  return listed(
    db
      .selectFrom('incidents')
      .select(incidentText)
      .select(sql<string>`declared_at::text`.as('cursor_at'))
      .$castTo<IncidentText & { cursor_at: string }>(),
    f,
  ).execute();
}

/**
 * The list's order, page and filters on a select from incidents (ordered by the table's columns by
 * qualified name: listIncidentsText's output columns of the same names are text).
 */
function listed<O>(select: SelectQueryBuilder<Database, 'incidents', O>, f: IncidentFilter) {
  let q = select
    .orderBy('incidents.declared_at', 'desc')
    .orderBy('incidents.id', 'desc')
    .limit(f.limit)
    .offset(f.offset);
  if (f.after) {
    q = q.where(
      sql<boolean>`(declared_at, id) < (${f.after.at ?? null}::timestamptz, ${f.after.id}::bigint)`,
    );
  }
  if (f.state === 'open') q = q.where('resolved_at', 'is', null);
  if (f.state === 'resolved') q = q.where('resolved_at', 'is not', null);
  if (f.severity) q = q.where('severity', '=', f.severity);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.plan) q = q.where('plan_name', '=', f.plan);
  if (f.service) q = q.where('service', '=', f.service);
  const team = f.team;
  if (team !== undefined) {
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('services')
          .innerJoin('teams', 'teams.id', 'services.team_id')
          .select(sql`1`.as('one'))
          .whereRef('services.name', '=', 'incidents.service')
          .where('teams.name', '=', team),
      ),
    );
  }
  const user = f.involving;
  if (user !== undefined) {
    q = q.where(({ or, exists, selectFrom }) =>
      or([
        exists(
          selectFrom('incident_roles')
            .select(sql`1`.as('one'))
            .whereRef('incident_roles.incident_id', '=', 'incidents.id')
            .where('incident_roles.user_id', '=', user),
        ),
        exists(
          selectFrom('incident_responders')
            .select(sql`1`.as('one'))
            .whereRef('incident_responders.incident_id', '=', 'incidents.id')
            .where('incident_responders.user_id', '=', user),
        ),
        exists(
          selectFrom('outbox')
            .select(sql`1`.as('one'))
            .whereRef('outbox.incident_id', '=', 'incidents.id')
            .where('outbox.user_id', '=', user),
        ),
      ]),
    );
  }
  return q;
}

export interface NewEvent {
  incidentId: string;
  kind: EventKind;
  at: Date;
  actor: Actor;
  data?: Record<string, unknown>;
}

/** Appends to an incident's timeline; the workflow engine picks the row up (processed_at is null). */
export function appendEvent(db: Executor, e: NewEvent) {
  return db.insertInto('incident_events').values(eventRowOf(e)).returningAll().executeTakeFirstOrThrow();
}

/** Timeline events and audit entries held back by a batch (HeldWrites), written in one statement. */
export async function appendEventsAndAudits(
  db: Executor,
  events: NewRow<'incident_events'>[],
  audits: NewRow<'audit_log'>[],
): Promise<void> {
  if (events.length === 0 && audits.length === 0) return;
  if (events.length === 0) {
    await db.insertInto('audit_log').values(audits).execute();
    return;
  }
  const insert =
    audits.length > 0
      ? db.with('audited', (c) => c.insertInto('audit_log').values(audits).returning('id'))
      : db;
  await insert.insertInto('incident_events').values(events).execute();
}

/**
 * Appends to an incident's timeline and writes the change's audit entry in the same statement (the
 * audit row as a data-modifying CTE, still inside the caller's transaction): one round trip where
 * there were two. With `auditEventId`, the entry's `after` also names the new event (`event_id`).
 */
export function appendEventAudited(
  db: Executor,
  e: NewEvent,
  audit: NewRow<'audit_log'>,
  auditEventId = false,
) {
  const after = auditEventId ? afterNamingEvent(audit) : sql<string>`${audit.after ?? null}::jsonb`;
  return db
    .with('appended', (c) => c.insertInto('incident_events').values(eventRowOf(e)).returningAll())
    .with('audited', (c) =>
      c
        .insertInto('audit_log')
        .columns(AUDIT_COLUMNS)
        .expression((eb) => eb.selectFrom('appended').select(auditColumnsOf(audit, after)))
        .returning('id'),
    )
    .selectFrom('appended')
    .selectAll()
    .executeTakeFirstOrThrow();
}

/**
 * updateIncident, the change's timeline event and its audit entry in one statement (data-modifying
 * CTEs, inside the caller's transaction, the row already locked): one round trip where there were two.
 * Returns the updated row, as updateIncident does.
 */
export function updateIncidentEventAudited(
  db: Executor,
  id: string,
  set: RowUpdate<'incidents'>,
  e: NewEvent,
  audit: NewRow<'audit_log'>,
) {
  return db
    .with('updated', (c) => c.updateTable('incidents').set(set).where('id', '=', id).returningAll())
    .with('appended', (c) => c.insertInto('incident_events').values(eventRowOf(e)).returning('id'))
    .with('audited', (c) =>
      c
        .insertInto('audit_log')
        .columns(AUDIT_COLUMNS)
        .expression((eb) => eb.selectFrom('appended').select(auditColumnsOf(audit)))
        .returning('id'),
    )
    .selectFrom('updated')
    .selectAll()
    .executeTakeFirstOrThrow();
}

/**
 * A state change written only if the row still is as the caller read it (state, plan version,
 * confidentiality, resolved_at: what its checks decided on), as one statement, its own transaction
 * when the caller has none: the row updated, the change's timeline event and its audit entry inserted
 * from the updated row. The UPDATE locks the row and, if another writer changed it meanwhile,
 * re-checks these conditions on the newest version (READ COMMITTED). No row (and nothing written)
 * when it changed or is gone: the caller then takes the locked path.
 */
export async function moveStateIfUnchanged(
  db: Executor,
  read: Pick<Row<'incidents'>, 'id' | 'state' | 'plan_name' | 'plan_version' | 'resolved_at'>,
  set: RowUpdate<'incidents'>,
  e: NewEvent,
  audit: NewRow<'audit_log'>,
  log?: AnnounceLog,
): Promise<Row<'incidents'> | undefined> {
  const { id, state, plan_name, plan_version, resolved_at } = read;
  // Announced after the commit (migration 0820) when the statement is its own transaction.
  const announcing = !db.isTransaction;
  const compiled = moveStatements.compiled(announcing ? 'announced' : '', [
    { id, state, plan_name, plan_version, resolved_at },
    set,
    eventRowOf(e),
    audit,
  ]);
  const { rows } = await db.executeQuery(compiled);
  const moved = rows[0];
  // The state change's event is unprocessed: the workflow-events pass reacts to it.
  if (moved && announcing) await announceIncidentChange(db, moved.id, true, log);
  return moved;
}

// Built once per shape (statement-shapes.ts): a transition's request paid ~100 µs of CPU building it.
const moveStatements = new StatementShapes(
  (
    variant: string,
    read: Pick<Row<'incidents'>, 'id' | 'state' | 'plan_name' | 'plan_version' | 'resolved_at'>,
    set: RowUpdate<'incidents'>,
    row: NewRow<'incident_events'>,
    audit: NewRow<'audit_log'>,
  ) =>
    buildingDb
      .with('updated', (c) =>
        c
          .updateTable('incidents')
          .set(set)
          .where('id', '=', read.id)
          .where('state', '=', read.state)
          .where('plan_name', '=', read.plan_name)
          .where('plan_version', '=', read.plan_version)
          .where('confidential', '=', false)
          .where(sql<boolean>`resolved_at is not distinct from ${read.resolved_at ?? null}::timestamptz`)
          .returningAll(),
      )
      .with('appended', (c) =>
        c
          .insertInto('incident_events')
          .columns(['incident_id', 'at', 'kind', 'actor_id', 'actor_name', 'data'])
          .expression((eb) =>
            eb.selectFrom('updated').select(['updated.id as incident_id', ...eventColumnsOf(row)]),
          )
          .returning('id'),
      )
      .with('audited', (c) =>
        c
          .insertInto('audit_log')
          .columns(AUDIT_COLUMNS)
          .expression((eb) => eb.selectFrom('appended').select(auditColumnsOf(audit)))
          .returning('id'),
      )
      .with('announced', (c) =>
        c.selectNoFrom(announcedAfterCommit(variant === 'announced' ? read.id : null)),
      )
      .selectFrom(['updated', 'announced'])
      .selectAll('updated'),
);

/**
 * A note on a public incident as one statement, its own transaction when the caller has none: the
 * incident row locked (FOR NO KEY UPDATE, as changeIncident locks it) only while it is not confidential, the
 * event appended and its audit entry (`after` naming the event) written. No row when the incident does
 * not exist or is confidential: the caller then takes the full path (its visibility check and 404).
 */
export async function appendNoteToPublicIncident(
  db: Executor,
  e: NewEvent,
  audit: NewRow<'audit_log'>,
  log?: AnnounceLog,
): Promise<Row<'incident_events'> | undefined> {
  const row = eventRowOf(e);
  // Announced after the commit (migration 0820) when the statement is its own transaction.
  const announcing = !db.isTransaction;
  const variant = `${UNHEARD_KINDS.has(row.kind as EventKind) ? 'unheard' : ''}${announcing ? ' announced' : ''}`;
  const { rows } = await db.executeQuery(noteStatements.compiled(variant, [row, audit]));
  const appended = rows[0];
  if (appended && announcing) {
    await announceIncidentChange(db, appended.incident_id, appended.processed_at === null, log);
  }
  return appended;
}

// Built once per shape (statement-shapes.ts), as moveStatements.
const noteStatements = new StatementShapes(
  (variant: string, row: NewRow<'incident_events'>, audit: NewRow<'audit_log'>) =>
    buildingDb
      .with('target', (c) =>
        c
          .selectFrom('incidents')
          .select(['id', 'resolved_at'])
          .where('id', '=', row.incident_id as string)
          .where('confidential', '=', false)
          // As lockIncidentWithPlanDigest: not FOR UPDATE, which would wait for the engine's foreign-key
          // share locks on the row.
          .forNoKeyUpdate(),
      )
      .with('appended', (c) =>
        c
          .insertInto('incident_events')
          .columns(['incident_id', 'at', 'kind', 'actor_id', 'actor_name', 'data', 'processed_at'])
          .expression((eb) =>
            eb
              .selectFrom('target')
              .select([
                'target.id as incident_id',
                ...eventColumnsOf(row),
                variant.startsWith('unheard')
                  ? processedWhileOpen(row, 'target')
                  : sql<Date | null>`null::timestamptz`.as('processed_at'),
              ]),
          )
          .returningAll(),
      )
      .with('audited', (c) =>
        c
          .insertInto('audit_log')
          .columns(AUDIT_COLUMNS)
          .expression((eb) =>
            eb.selectFrom('appended').select(auditColumnsOf(audit, afterNamingEvent(audit))),
          )
          .returning('id'),
      )
      .with('announced', (c) =>
        c.selectNoFrom(
          announcedAfterCommit(variant.endsWith('announced') ? (row.incident_id as string) : null),
        ),
      )
      .selectFrom(['appended', 'announced'])
      .selectAll('appended'),
);

const AUDIT_COLUMNS = [
  'at',
  'actor_id',
  'actor_name',
  'action',
  'entity_type',
  'entity_id',
  'before',
  'after',
] as const;

/** An audit entry's `after` with the id of the event the same statement appended (`appended`). */
function afterNamingEvent(audit: NewRow<'audit_log'>) {
  return sql<string>`coalesce(${audit.after ?? null}::jsonb, '{}'::jsonb) || jsonb_build_object('event_id', appended.id::text)`;
}

/**
 * An audit entry as the columns (AUDIT_COLUMNS, in order) of an `insert … select` from a CTE of the
 * same statement, so the entry is written only when that CTE yields its row.
 */
function auditColumnsOf(
  audit: NewRow<'audit_log'>,
  after = sql<string | null>`${audit.after ?? null}::jsonb`,
) {
  return [
    sql<Date>`${audit.at}::timestamptz`.as('at'),
    sql<string | null>`${audit.actor_id ?? null}::bigint`.as('actor_id'),
    sql<string>`${audit.actor_name}::text`.as('actor_name'),
    sql<string>`${audit.action}::text`.as('action'),
    sql<string>`${audit.entity_type}::text`.as('entity_type'),
    sql<string>`${audit.entity_id}::text`.as('entity_id'),
    sql<string | null>`${audit.before ?? null}::jsonb`.as('before'),
    after.as('after'),
  ];
}

/** An engine record on an incident's timeline, written with the row it names (see engineEventColumnsOf). */
export interface EngineEvent {
  incident_id: string;
  at: Date;
  kind: string;
  actor_name: string;
  data: Record<string, unknown>;
  /**
   * Set when the record is written already processed: nothing in the engine reacts to it, so the
   * workflow-events pass need not claim it, nor be woken for it (migration 0790). Default null.
   */
  processed_at?: Date | null;
}

export const EVENT_COLUMNS = [
  'incident_id',
  'at',
  'kind',
  'actor_id',
  'actor_name',
  'data',
  'processed_at',
] as const;

/**
 * An engine record (no actor id) as the columns (EVENT_COLUMNS, in order) of an `insert … select` from
 * a CTE of the same statement, its data naming that CTE's row id under `key` (`run.id` → `workflow_run`):
 * the record is written only when the CTE yields its row.
 */
export function engineEventColumnsOf(event: EngineEvent, key: string, idColumn: string) {
  return [
    sql<string>`${event.incident_id}::bigint`.as('incident_id'),
    sql<Date>`${event.at}::timestamptz`.as('at'),
    sql<string>`${event.kind}::text`.as('kind'),
    sql<null>`null::bigint`.as('actor_id'),
    sql<string>`${event.actor_name}::text`.as('actor_name'),
    sql<string>`${JSON.stringify(event.data)}::jsonb || jsonb_build_object(${key}::text, ${sql.ref(idColumn)}::text)`.as(
      'data',
    ),
    sql<Date | null>`${event.processed_at ?? null}::timestamptz`.as('processed_at'),
  ];
}

/**
 * An event's processed_at for an insert … select from a CTE naming its incident (`from`, with the
 * incident's resolved_at): its own time when its kind is one nothing reacts to (UNHEARD_KINDS) and the
 * incident is open, so the workflow-events pass has nothing to claim and no wake-up is sent (migration
 * 0790); else null, for the pass.
 */
/** processed_at: the event's own time while its incident (`from`, with resolved_at) is open, else null. */
function processedWhileOpen(row: NewRow<'incident_events'>, from: string) {
  return sql<Date | null>`case when ${sql.ref(`${from}.resolved_at`)} is null then ${row.at}::timestamptz end`.as(
    'processed_at',
  );
}

/**
 * An event row's columns but its incident's id, for an insert … select from a CTE that names the
 * incident (the row written only when that CTE has it).
 */
function eventColumnsOf(row: NewRow<'incident_events'>) {
  return [
    sql<Date>`${row.at}::timestamptz`.as('at'),
    sql<string>`${row.kind}::text`.as('kind'),
    sql<string | null>`${row.actor_id ?? null}::bigint`.as('actor_id'),
    sql<string>`${row.actor_name}::text`.as('actor_name'),
    sql<string>`${row.data}::jsonb`.as('data'),
  ];
}

/** The timeline row of an event (other concepts write it together with their own change). */
export function eventRowOf(e: NewEvent): NewRow<'incident_events'> {
  return {
    incident_id: e.incidentId,
    at: e.at,
    kind: e.kind,
    actor_id: e.actor.userId,
    actor_name: e.actor.name,
    data: JSON.stringify(e.data ?? {}),
  };
}

export function listEvents(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_events')
    .select(['id', 'at', 'kind', 'actor_name', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export function listRoles(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_roles')
    .innerJoin('users', 'users.id', 'incident_roles.user_id')
    .select(['incident_roles.role', 'users.handle as user', 'users.name', 'incident_roles.assigned_at'])
    .where('incident_roles.incident_id', '=', incidentId)
    .orderBy('incident_roles.role')
    .execute();
}

export function findRole(db: Executor, incidentId: string, role: string) {
  return db
    .selectFrom('incident_roles')
    .innerJoin('users', 'users.id', 'incident_roles.user_id')
    .select(['incident_roles.role', 'users.handle as user', 'incident_roles.user_id'])
    .where('incident_roles.incident_id', '=', incidentId)
    .where('incident_roles.role', '=', role)
    .executeTakeFirst();
}

/** Assigns a role, replacing whoever held it. */
export function upsertRole(db: Executor, row: NewRow<'incident_roles'>) {
  return db
    .insertInto('incident_roles')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['incident_id', 'role']).doUpdateSet({ user_id: row.user_id, assigned_at: row.assigned_at }),
    )
    .execute();
}

export function listResponders(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_responders')
    .leftJoin('users', 'users.id', 'incident_responders.user_id')
    .select([
      'incident_responders.id',
      'incident_responders.responder',
      'users.handle as user',
      'incident_responders.reason',
      'incident_responders.source',
      'incident_responders.added_at',
      'incident_responders.joined_at',
    ])
    .where('incident_responders.incident_id', '=', incidentId)
    .orderBy('incident_responders.id')
    .execute();
}

export function findResponder(db: Executor, incidentId: string, responder: string) {
  return db
    .selectFrom('incident_responders')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('responder', '=', responder)
    .executeTakeFirst();
}

export function insertResponders(db: Executor, rows: NewRow<'incident_responders'>[]) {
  if (rows.length === 0) return Promise.resolve([] as Row<'incident_responders'>[]);
  return db.insertInto('incident_responders').values(rows).returningAll().execute();
}

export function updateResponder(db: Executor, id: string, set: RowUpdate<'incident_responders'>) {
  return db
    .updateTable('incident_responders')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listHypotheses(db: Executor, incidentId: string) {
  return db
    .selectFrom('hypotheses')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export function insertHypothesis(db: Executor, row: NewRow<'hypotheses'>) {
  return db.insertInto('hypotheses').values(row).returningAll().executeTakeFirstOrThrow();
}

export function lockHypothesis(db: Executor, incidentId: string, id: string) {
  return db
    .selectFrom('hypotheses')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function updateHypothesis(db: Executor, id: string, set: RowUpdate<'hypotheses'>) {
  return db.updateTable('hypotheses').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function listChecklistItems(db: Executor, incidentId: string) {
  return db
    .selectFrom('checklist_items')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('checklist')
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export function insertChecklistItems(db: Executor, rows: NewRow<'checklist_items'>[]) {
  if (rows.length === 0) return Promise.resolve([] as Row<'checklist_items'>[]);
  return db.insertInto('checklist_items').values(rows).returningAll().execute();
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

export async function nextChecklistPosition(db: Executor, incidentId: string, checklist: string) {
  const row = await db
    .selectFrom('checklist_items')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('incident_id', '=', incidentId)
    .where('checklist', '=', checklist)
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

export function lockChecklistItem(db: Executor, incidentId: string, id: string) {
  return db
    .selectFrom('checklist_items')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function updateChecklistItem(db: Executor, id: string, set: RowUpdate<'checklist_items'>) {
  return db
    .updateTable('checklist_items')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listUpdates(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_updates')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function insertUpdate(db: Executor, row: NewRow<'incident_updates'>) {
  return db.insertInto('incident_updates').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listTasks(db: Executor, incidentId: string) {
  return db
    .selectFrom('action_items')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'task')
    .orderBy('id')
    .execute();
}

/** Adds affected customers' addresses to an incident; answers those that were new. */
export function insertAffectedUsers(
  db: Executor,
  incidentId: string,
  emails: string[],
  at: Date,
  addedBy: string,
) {
  if (emails.length === 0) return Promise.resolve([]);
  return db
    .insertInto('incident_affected_users')
    .values(emails.map((email) => ({ incident_id: incidentId, email, added_at: at, added_by: addedBy })))
    .onConflict((oc) => oc.columns(['incident_id', 'email']).doNothing())
    .returning('email')
    .execute();
}

/** The affected customers' addresses of an incident, in the order they were added. */
export async function affectedUserEmails(db: Executor, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_affected_users')
    .select('email')
    .where('incident_id', '=', incidentId)
    .orderBy('added_at')
    .orderBy('email')
    .execute();
  return rows.map((r) => r.email);
}

/** Whether a user is one of the incident's own responders: holds a role, responds, or was paged. */
export async function isInvolved(db: Executor, incidentId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectNoFrom(({ exists, selectFrom, or }) =>
      or([
        exists(
          selectFrom('incident_roles')
            .select(sql`1`.as('one'))
            .where('incident_id', '=', incidentId)
            .where('user_id', '=', userId),
        ),
        exists(
          selectFrom('incident_responders')
            .select(sql`1`.as('one'))
            .where('incident_id', '=', incidentId)
            .where('user_id', '=', userId),
        ),
        exists(
          selectFrom('outbox')
            .select(sql`1`.as('one'))
            .where('incident_id', '=', incidentId)
            .where('user_id', '=', userId),
        ),
      ]).as('involved'),
    )
    .executeTakeFirst();
  return row?.involved === true;
}

/** The stored order of a pair: smaller id first (incident_links' check). */
function linkPair(a: string, b: string): { low_id: string; high_id: string } {
  return BigInt(a) < BigInt(b) ? { low_id: a, high_id: b } : { low_id: b, high_id: a };
}

/** Links two incidents; false when they already were (a repeat is not an error). */
export async function insertLink(db: Executor, a: string, b: string, at: Date, by: string): Promise<boolean> {
  const row = await db
    .insertInto('incident_links')
    .values({ ...linkPair(a, b), created_at: at, created_by: by })
    .onConflict((oc) => oc.columns(['low_id', 'high_id']).doNothing())
    .returning('low_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Unlinks two incidents; false when they were not linked. */
export async function deleteLink(db: Executor, a: string, b: string): Promise<boolean> {
  const { low_id, high_id } = linkPair(a, b);
  const row = await db
    .deleteFrom('incident_links')
    .where('low_id', '=', low_id)
    .where('high_id', '=', high_id)
    .returning('low_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The incidents linked to one, whichever side it was linked from, oldest link first. */
export function listRelated(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_links as l')
    .innerJoin('incidents as i', (j) =>
      j.on((eb) =>
        eb.or([
          eb.and([eb('l.low_id', '=', incidentId), eb('i.id', '=', eb.ref('l.high_id'))]),
          eb.and([eb('l.high_id', '=', incidentId), eb('i.id', '=', eb.ref('l.low_id'))]),
        ]),
      ),
    )
    .select(['i.id', 'i.title', 'i.state', 'i.severity', 'l.created_at as linked_at'])
    .where((eb) => eb.or([eb('l.low_id', '=', incidentId), eb('l.high_id', '=', incidentId)]))
    .orderBy('l.created_at')
    .orderBy('i.id')
    .execute();
}

/** The confidential incidents among these ids (what a cross-incident list must check before showing). */
export function confidentialAmong(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('incidents')
    .select(['id', 'service', 'confidential', 'plan_name', 'plan_version'])
    .where('id', 'in', [...new Set(ids)])
    .where('confidential', '=', true)
    .execute();
}

import type pg from 'pg';

// Named prepared statements for the texts that repeat, per connection (what pgx does for GoAlert).
// On the hot paths PostgreSQL spends more CPU parsing and planning an unnamed statement than
// executing it (renderFactsOfMany: plan 0.54 ms, execute 0.05 ms); a named statement is parsed once
// per connection and then only bound and executed, and after 5 executions PostgreSQL may keep a
// generic plan (plan_cache_mode auto, left at its default).
//
// Every Kysely query and every pool.query goes through client.query, so wrapping it on each new
// pool client covers both. The rules that keep it safe:
// - only plain DML/SELECT texts (select/insert/update/delete/with/values) without ';' — never
//   transaction control, LISTEN/NOTIFY, SET or DDL, and never multi-statement simple queries;
// - only a text seen before (one-off texts — a VALUES list of an unusual length — stay unnamed),
//   with at most MAX_PARAMS parameters and MAX_TEXT characters;
// - at most MAX_NAMES names per connection: past that the connection deallocates everything and
//   starts again under fresh names (a name is never reused, so pg's "one name, one text" rule and
//   the server's "already exists" can't trip);
// - texts a generic plan can't serve (a partial-index ON CONFLICT arbiter) stay unnamed, and a text
//   that fails with 42P10 once named is never named again;
// - DDL seen by any connection of this process (migrations, tests that recreate schemas) retires
//   every connection's names, since a statement prepared before it may no longer match its result
//   type; DDL from another process shows up as `cached plan must not change result type` (or a
//   statement dropped under us: `prepared statement does not exist`), which retires that
//   connection's names and, outside a transaction, retries the query once unnamed-then-renamed.

const MAX_NAMES = 256;
const MAX_PARAMS = 100;
const MAX_TEXT = 8_000;
/** Texts seen once are remembered up to this many, then the memory starts over. */
const MAX_SEEN = 5_000;

const PREPARABLE = /^\s*(select|insert|update|delete|with|values)\b/i;
const SCHEMA_CHANGE =
  /^\s*(create|alter|drop|do|set|reset|discard|deallocate|comment|grant|revoke|import)\b/i;
// A partial unique index as ON CONFLICT arbiter (`on conflict (a, b) where status <> $3`): the
// planner must prove the index predicate from the WHERE, which a generic plan (parameters unknown)
// cannot — PostgreSQL then fails with 42P10 from the 6th execution on. Such texts stay unnamed.
const PARTIAL_ARBITER = /on\s+conflict\s*\([^)]*\)\s*where\b/i;
const TX_BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const TX_END = /^\s*(commit|end|abort|rollback(?!\s+to\b))\b/i;

/** Bumped on DDL seen by any connection: every connection retires its names on its next query. */
let schemaEpoch = 0;
const seen = new Set<string>();
/** Texts that failed only because they were prepared (see generic()): they stay unnamed. */
const unpreparable = new Set<string>();

interface State {
  epoch: number;
  generation: number;
  names: Map<string, string>;
  /** The next name's number in this generation (names are never reused). */
  next: number;
  inTx: boolean;
}

/** An error a generic plan raises where a custom one would not (see PARTIAL_ARBITER). */
function generic(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '42P10';
}

type QueryFn = pg.ClientBase['query'];

function stale(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code === '26000') return true; // prepared statement does not exist
  return e.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

/** Makes client.query send repeating statement texts as named prepared statements. */
export function prepareStatements(client: pg.ClientBase): void {
  // The prototype's query, looked up at each call rather than bound once: what counts statements by
  // patching pg.Client.prototype.query (bench/statements.ts, tests) keeps seeing every query.
  const proto = Object.getPrototypeOf(client) as { query: QueryFn };
  const original = ((...args: unknown[]) =>
    (proto.query as (...a: unknown[]) => unknown).apply(client, args)) as QueryFn;
  const connection = (client as unknown as { connection: { parsedStatements: Record<string, string> } })
    .connection;
  const state: State = { epoch: schemaEpoch, generation: 0, names: new Map(), next: 0, inTx: false };

  // Forgets every name on this connection. The server's copies go with DEALLOCATE ALL (queued ahead
  // of the next query; harmless if it fails, as new names never collide with old ones).
  const retire = () => {
    state.generation++;
    state.names.clear();
    state.next = 0;
    state.epoch = schemaEpoch;
    for (const name of Object.keys(connection.parsedStatements)) delete connection.parsedStatements[name];
    original('deallocate all').catch(() => {});
  };

  const nameFor = (text: string, values: unknown[] | undefined): string | undefined => {
    if (state.epoch !== schemaEpoch) retire();
    if (unpreparable.has(text)) return undefined;
    const known = state.names.get(text);
    if (known) return known;
    if (text.length > MAX_TEXT || (values?.length ?? 0) > MAX_PARAMS) return undefined;
    if (!PREPARABLE.test(text) || text.includes(';') || PARTIAL_ARBITER.test(text)) return undefined;
    if (!seen.has(text)) {
      if (seen.size >= MAX_SEEN) seen.clear();
      seen.add(text);
      return undefined;
    }
    if (state.names.size >= MAX_NAMES) retire();
    const name = `tq${state.generation}_${state.next++}`;
    state.names.set(text, name);
    return name;
  };

  const run = async (text: string, values: unknown[] | undefined, config: Record<string, unknown>) => {
    const name = nameFor(text, values);
    if (!name) return original({ ...config, text, values } as pg.QueryConfig);
    try {
      return await original({ ...config, text, values, name } as pg.QueryConfig);
    } catch (error) {
      if (generic(error)) {
        if (unpreparable.size < MAX_SEEN) unpreparable.add(text);
      } else if (stale(error)) {
        retire();
      } else {
        throw error;
      }
      // Inside a transaction the error has already aborted it: the caller's retry logic decides.
      if (state.inTx) throw error;
      return original({ ...config, text, values } as pg.QueryConfig);
    }
  };

  const wrapped = (first: unknown, second?: unknown, third?: unknown): unknown => {
    const config =
      typeof first === 'string'
        ? undefined
        : first && typeof first === 'object' && !('submit' in first) && !('name' in first)
          ? (first as Record<string, unknown>)
          : null;
    const text = typeof first === 'string' ? first : (config?.text as string | undefined);
    if (config === null || typeof text !== 'string') {
      return (original as (...a: unknown[]) => unknown)(first, second, third);
    }
    if (TX_BEGIN.test(text)) state.inTx = true;
    else if (TX_END.test(text)) state.inTx = false;
    else if (SCHEMA_CHANGE.test(text)) schemaEpoch++;
    const callback = [second, third].find((a) => typeof a === 'function') as
      | ((err: Error | null, res?: unknown) => void)
      | undefined;
    const values = (Array.isArray(second) ? second : (config?.values as unknown[] | undefined)) ?? undefined;
    const { text: _t, values: _v, ...rest } = config ?? {};
    const result = run(text, values, rest);
    if (!callback) return result;
    result.then(
      (res) => callback(null, res),
      (err: Error) => callback(err),
    );
    return undefined;
  };
  client.query = wrapped as QueryFn;
}

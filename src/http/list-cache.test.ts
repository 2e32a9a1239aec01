import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, auth, freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { IncidentListCache } from '../domain/incidents/list-cache.ts';
import { savePlan } from '../domain/plans/save-plan.ts';
import { bootstrapAdmin } from '../domain/users/bootstrap-admin.ts';
import { type EventHub, type HubMessage, startEventHub } from './event-hub.ts';
import { createMetrics } from './metrics.ts';
import { type App, buildServer } from './server.ts';

// The incident list's answer cache: kept between changes, dropped by a change any instance commits
// (its NOTIFY), by a write request on this instance before it is answered, never holding a page with
// a confidential incident, and unused while changes are not heard.

describe('IncidentListCache', () => {
  let now = 0;
  let listening = true;
  const cache = new IncidentListCache({
    maxAgeMs: 100,
    maxEntries: 2,
    listening: () => listening,
    now: () => now,
  });

  const B = (text: string) => Buffer.from(text);
  it('keeps an answer until a change, and never one computed across a change', () => {
    const before = cache.current;
    cache.set('a', before, B('A'));
    expect(cache.get('a')?.toString()).toBe('A');
    cache.invalidate();
    expect(cache.get('a')).toBeUndefined();
    // Computed before the change, stored after it: not kept.
    cache.set('a', before, B('A-old'));
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps an answer at most maxAgeMs, maxEntries answers, and none while not listening', () => {
    cache.set('a', cache.current, B('A'));
    now += 101;
    expect(cache.get('a')).toBeUndefined();
    for (const k of ['a', 'b', 'c']) cache.set(k, cache.current, B(k));
    expect(['a', 'b', 'c'].map((k) => cache.get(k)?.toString())).toEqual([undefined, 'b', 'c']);
    listening = false;
    expect(cache.get('b')).toBeUndefined();
    cache.set('d', cache.current, B('d'));
    listening = true;
    expect(cache.get('d')).toBeUndefined();
  });
});

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: cached }
severities: [{ id: SEV1, title: Critical }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

let t: TestDb;
let app: App;
let hub: EventHub;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const admin = auth(ADMIN_TOKEN);

beforeAll(async () => {
  t = await freshDb();
  await bootstrapAdmin(t.db, clock, ADMIN_TOKEN);
  await savePlan({ ctx: makeCtx({ db: t.db, clock }, SYSTEM_ACTOR), input: { source: PLAN } });
  hub = startEventHub(t.url);
  await hub.ready();
  app = await buildServer({
    db: t.db,
    clock,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: 262_144,
    version: 'test',
    console: { events: hub, heartbeatMs: 100 },
  });
});
afterAll(async () => {
  await app?.close();
  await hub?.close();
  await t?.close();
});

const titles = async () => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/incidents?limit=10', headers: admin });
  expect(res.statusCode).toBe(200);
  return (res.json() as { incidents: { title: string }[] }).incidents.map((i) => i.title);
};

/** Changes a title as nothing in Tocsin does: without the row trigger's NOTIFY (to see the cache). */
const silently = (id: string, title: string) =>
  t.db.connection().execute(async (c) => {
    await sql`set session_replication_role = replica`.execute(c);
    await sql`update incidents set title = ${title} where id = ${id}`.execute(c);
    await sql`set session_replication_role = default`.execute(c);
  });

let barriers = 0;
/**
 * Every change committed so far has been heard (the cache hears each before this: it subscribed
 * first): a NOTIFY of our own, delivered after all those committed before it, has arrived.
 */
async function heard(): Promise<void> {
  const id = `barrier-${++barriers}`;
  const arrived = new Promise<void>((resolve) => {
    const off = hub.subscribe((m: HubMessage) => {
      if (m.type === 'event' && m.event.id === id) {
        off();
        resolve();
      }
    });
  });
  await sql`select pg_notify('tocsin_events', ${JSON.stringify({ kind: 'incident.changed', id })})`.execute(
    t.db,
  );
  await arrived;
}

describe('the incident list answer cache', () => {
  let id: string;

  it('answers from the cache until a change is committed, by this instance or another', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: admin,
      payload: { title: 'first', plan: 'cached', severity: 'SEV1' },
    });
    expect(res.statusCode).toBe(201);
    id = res.json().incident.id;
    await heard();
    expect(await titles()).toEqual(['first']);
    await silently(id, 'unheard');
    expect(await titles()).toEqual(['first']); // from the cache: no change was heard
    // A write request on this instance: its client reads it at once.
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/incidents/${id}`,
      headers: admin,
      payload: { title: 'patched' },
    });
    expect(patched.statusCode).toBe(200);
    expect(await titles()).toEqual(['patched']);
    // A change committed elsewhere (another instance, the engine, the CLI): heard through NOTIFY.
    await heard();
    expect(await titles()).toEqual(['patched']);
    await t.db.updateTable('incidents').set({ title: 'elsewhere' }).where('id', '=', id).execute();
    await heard();
    expect(await titles()).toEqual(['elsewhere']);
  });

  it('never keeps a page with a confidential incident (who sees it depends on the reader)', async () => {
    await t.db.updateTable('incidents').set({ confidential: true }).where('id', '=', id).execute();
    await heard();
    expect(await titles()).toEqual(['elsewhere']);
    await silently(id, 'secret');
    expect(await titles()).toEqual(['secret']);
  });
});

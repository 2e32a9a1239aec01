import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, addUser, auth, freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { savePlan } from '../domain/plans/save-plan.ts';
import { bootstrapAdmin } from '../domain/users/bootstrap-admin.ts';
import { createToken } from '../domain/users/create-token.ts';
import { createMetrics } from './metrics.ts';
import { type App, buildServer } from './server.ts';

// POST /api/v1/plans/:name/drill: the console's "run a drill", the real drill in a throwaway
// database on the test's PostgreSQL server, answering the report.
const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: drilled }
languages: [en]
severities:
  - { id: SEV1, title: Critical, targets: { acknowledge: 5m, resolve: 4h } }
  - { id: SEV2, title: Major, targets: { acknowledge: 15m } }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
channel: { name: "incident-{date}-{slug}" }
`;

let t: TestDb;
let app: App;
let responder: string;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

function server(drillServerUrl: string | undefined) {
  return buildServer({
    db: t.db,
    clock,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: 262_144,
    version: 'test',
    console: { drillServerUrl },
  });
}

beforeAll(async () => {
  t = await freshDb();
  const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await bootstrapAdmin(t.db, clock, ADMIN_TOKEN);
  await savePlan({ ctx, input: { source: PLAN } });
  await addUser(ctx, 'drill-responder', { role: 'responder' });
  responder = (await createToken({ ctx, input: { name: 'test', user: 'drill-responder' } })).token;
  app = await server(t.url);
});
afterAll(async () => {
  await app.close();
  await t.close();
});

const drill = (name: string, token: string, body?: unknown, on = app) =>
  on.inject({
    method: 'POST',
    url: `/api/v1/plans/${name}/drill`,
    headers: auth(token),
    ...(body === undefined ? {} : { payload: body as object }),
  });

describe('running a drill from the console', () => {
  it("drills the stored plan's current version and answers the target-by-target report", async () => {
    const res = await drill('drilled', ADMIN_TOKEN, { severity: 'SEV1' });
    expect(res.statusCode, res.body).toBe(200);
    const { report } = res.json();
    expect(report).toMatchObject({ plan: 'drilled', plan_version: 1, severity: 'SEV1' });
    expect(report.targets.map((r: { target: string }) => r.target)).toEqual(
      expect.arrayContaining(['acknowledge', 'resolve']),
    );
    expect(typeof report.passed).toBe('boolean');
    // The live store is untouched: the drill's incident lives only in its throwaway database.
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toEqual([]);
  });

  it('refuses responders, unknown plans and severities, and says when drills are unavailable', async () => {
    expect((await drill('drilled', responder, {})).statusCode).toBe(403);
    expect((await drill('no-such-plan', ADMIN_TOKEN, {})).statusCode).toBe(404);
    const badSeverity = await drill('drilled', ADMIN_TOKEN, { severity: 'SEV9' });
    expect(badSeverity.statusCode).toBe(400);
    const bogus = await drill('drilled', ADMIN_TOKEN, { colour: 'red' });
    expect(bogus.statusCode).toBe(400);
    const without = await server(undefined);
    expect((await drill('drilled', ADMIN_TOKEN, {}, without)).statusCode).toBe(503);
    await without.close();
  });
});

describe('what-if replay over HTTP', () => {
  const replay = (name: string, token: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/plans/${name}/replay`,
      headers: auth(token),
      payload: body as object,
    });

  it('answers the report (no incidents yet: none replayed, no database made)', async () => {
    const res = await replay('drilled', ADMIN_TOKEN, { source: PLAN, file: 'drilled.yaml', since: '30d' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().report).toMatchObject({
      plan: 'drilled',
      source: 'drilled.yaml',
      total: 0,
      incidents: [],
      next: null,
    });
  });

  it('refuses bad input with the field and responders', async () => {
    expect((await replay('drilled', responder, { source: PLAN })).statusCode).toBe(403);
    const other = await replay('other', ADMIN_TOKEN, { source: PLAN });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.details).toEqual([
      { path: 'body.source', message: 'metadata.name is drilled, the route names other' },
    ]);
    const broken = await replay('drilled', ADMIN_TOKEN, {
      source: PLAN.replace('5m', 'soon'),
      file: 'x.yaml',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details[0].path).toMatch(/^x\.yaml:\d+:\d+$/);
    const since = await replay('drilled', ADMIN_TOKEN, { source: PLAN, since: 'lately' });
    expect(since.statusCode).toBe(400);
    expect(since.json().error.details[0].path).toBe('body.since');
    expect((await replay('drilled', ADMIN_TOKEN, { source: PLAN, limit: 500 })).statusCode).toBe(400);
  });
});

import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { connect } from '../../db/connect.ts';
import { auditorModule } from '../../engine/auditor.ts';
import { Engine } from '../../engine/engine.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { saveService } from '../services/save-service.ts';

// The auditor raises a self-alert when a page stays unsent, and resolves it when the page went out.

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const logLines: { level: number; msg: string; problem?: string }[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(JSON.parse(String(chunk)));
    done();
  },
});

beforeAll(async () => {
  t = await freshDb();
  const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await saveService({ ctx, input: { service: { name: 'tocsin' }, mode: 'create' } });
  await addUser(ctx, 'ona');
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'info' }, logSink) }, [
    auditorModule({ selfService: 'tocsin' }),
  ]);
});
afterAll(() => t.close());

const auditorAlerts = () =>
  t.db
    .selectFrom('alerts')
    .select(['dedup_key', 'status', 'summary'])
    .where('dedup_key', 'like', 'tocsin:%')
    .execute();

describe('auditor', () => {
  it('raises a self-alert for a page unsent 2 minutes after due, and resolves it once sent', async () => {
    const user = await t.db
      .selectFrom('users')
      .select('id')
      .where('handle', '=', 'ona')
      .executeTakeFirstOrThrow();
    // A page for a channel no provider serves: it can only wait.
    const id = await enqueueNotification(
      t.db,
      {
        incidentId: null,
        channel: 'push',
        destination: 'ona-topic',
        payload: { kind: 'page', text: 'x' },
        dedupKey: 'p1',
        userId: user.id,
      },
      clock.now(),
    );
    await engine.runUntilIdle();
    expect(await auditorAlerts()).toEqual([]);

    clock.advance(121_000);
    await engine.runUntilIdle();
    expect(await auditorAlerts()).toEqual([
      expect.objectContaining({
        dedup_key: 'tocsin:pages-overdue',
        status: 'triggered',
        summary: expect.stringContaining('1 page(s)'),
      }),
    ]);
    await engine.runUntilIdle(); // no repeat while nothing changes
    await engine.tick();
    clock.advance(1000);
    await engine.tick();
    // Logged once when it began, not once per tick while it lasts.
    expect(logLines.filter((l) => l.problem === 'tocsin:pages-overdue' && l.level === 50)).toHaveLength(1);
    const alert = await t.db
      .selectFrom('alerts')
      .select('count')
      .where('dedup_key', '=', 'tocsin:pages-overdue')
      .executeTakeFirstOrThrow();
    expect(Number(alert.count)).toBe(1);

    await t.db
      .updateTable('outbox')
      .set({ status: 'sent', sent_at: clock.now() })
      .where('id', '=', id ?? '')
      .execute();
    clock.advance(1000);
    await engine.runUntilIdle();
    expect(await auditorAlerts()).toEqual([
      expect.objectContaining({ dedup_key: 'tocsin:pages-overdue', status: 'resolved' }),
    ]);
    // …and once when it ended.
    expect(logLines.filter((l) => l.problem === 'tocsin:pages-overdue').map((l) => l.level)).toEqual([
      50, 30,
    ]);
  });
});

describe('auditor, when its tick does not commit', () => {
  it('raises the self-alert again on its next tick: the one it raised was rolled back', async () => {
    // What the auditor raised counted as raised before its transaction committed: a tick that then
    // failed (here the engine's heartbeat write, past a short statement timeout behind a lock) left
    // the self-alert unwritten and every later tick sure it was there — the alert for pages that do
    // not go out never came while the problem lasted.
    const s = await freshDb();
    const c = new VirtualClock('2026-03-02T10:00:00Z');
    const { db } = connect(s.url, 3, { connectMs: 5_000, statementMs: 200 });
    const locker = new pg.Client({ connectionString: s.url });
    await locker.connect();
    try {
      const ctx = makeCtx({ db: s.db, clock: c }, SYSTEM_ACTOR);
      await saveService({ ctx, input: { service: { name: 'tocsin' }, mode: 'create' } });
      const user = await addUser(ctx, 'ona');
      await enqueueNotification(
        s.db,
        {
          incidentId: null,
          channel: 'push',
          destination: 'ona-topic',
          payload: { kind: 'page', text: 'x' },
          dedupKey: 'p1',
          userId: user,
        },
        c.now(),
      );
      c.advance(121_000);
      const auditor = new Engine({ db, clock: c, log: pino({ level: 'silent' }) }, [
        auditorModule({ selfService: 'tocsin' }),
      ]);
      const raised = () =>
        s.db
          .selectFrom('alerts')
          .select(['dedup_key', 'status'])
          .where('dedup_key', 'like', 'tocsin:%')
          .execute();

      await locker.query('begin');
      await locker.query('lock table engine_modules in share mode');
      const [failed] = await auditor.tick();
      expect(failed?.outcome).toBe('error');
      await locker.query('rollback');
      expect(await raised()).toEqual([]);

      const [next] = await auditor.tick();
      expect(next?.outcome).toBe('ran');
      expect(await raised()).toEqual([{ dedup_key: 'tocsin:pages-overdue', status: 'triggered' }]);
    } finally {
      await locker.end();
      await db.destroy();
      await s.close();
    }
  });
});

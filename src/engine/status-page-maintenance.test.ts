import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { createMaintenance } from '../domain/status-page/create-maintenance.ts';
import { loadStatusPage } from '../domain/status-page/load-status-page.ts';
import { saveComponent } from '../domain/status-page/save-component.ts';
import { statuspageJson } from '../domain/status-page/statuspage-json.ts';
import { updateMaintenance } from '../domain/status-page/update-maintenance.ts';
import { subscribe } from '../domain/subscribers/subscribe.ts';
import { Engine } from './engine.ts';
import { statusPageMaintenanceModule } from './status-page-maintenance.ts';

// Scheduled maintenance on the virtual clock: the engine moves it to in progress at its start and to
// completed at its end, and each move queues one notice per subscriber, however often it runs.

let t: TestApp;
let engine: Engine;

beforeAll(async () => {
  vi.stubEnv('TOCSIN_OUTBOUND_ALLOW', '127.0.0.1');
  t = await testApp(); // clock: 2026-03-02T10:00:00Z
  engine = new Engine({ db: t.db, clock: t.clock }, [statusPageMaintenanceModule()]);
  await saveComponent({ ctx: t.ctx(), input: { name: 'API' } });
  await saveComponent({ ctx: t.ctx(), input: { name: 'Web' } });
  await subscribe({ ctx: t.ctx(), input: { endpoint: 'http://127.0.0.1:9/hook', ip: '198.51.100.1' } });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
});

/** The subscriber notices queued for maintenance `id`, by the key of each notice. */
async function notices(id: string) {
  const rows = await t.db
    .selectFrom('outbox')
    .select(['dedup_key', 'payload'])
    .where('dedup_key', 'like', `status-subscriber:%:maintenance:${id}:%`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    key: r.dedup_key?.split(':').at(-1),
    status: (r.payload as { incident: { status: string } }).incident.status,
  }));
}

async function stored(id: string) {
  return t.db
    .selectFrom('status_page_maintenances')
    .select(['status', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function twice() {
  await engine.runUntilIdle();
  await engine.runUntilIdle(); // a second pass (or a second engine) changes nothing
}

describe('maintenance notices on the clock', () => {
  it('starts and completes a window once each, telling subscribers of each move', async () => {
    const m = await createMaintenance({
      ctx: t.ctx(),
      input: {
        name: 'Database upgrade',
        components: ['API'],
        scheduled_for: '2026-03-02T12:00:00Z',
        scheduled_until: '2026-03-02T13:00:00Z',
        bodies: { en: 'We upgrade the database.' },
      },
    });
    expect(await notices(m.id)).toEqual([{ key: 'created', status: 'scheduled' }]);

    t.clock.set('2026-03-02T11:59:59Z');
    await twice();
    expect((await stored(m.id)).status).toBe('scheduled');

    t.clock.set('2026-03-02T12:00:00Z');
    await twice();
    expect(await stored(m.id)).toEqual({
      status: 'in_progress',
      updated_at: new Date('2026-03-02T12:00:00Z'),
    });
    expect((await notices(m.id)).slice(1)).toEqual([{ key: 'clock-in_progress', status: 'in_progress' }]);
    const view = await loadStatusPage(t.db, t.clock.now(), 'http://tocsin.test');
    const summary = statuspageJson(view, 'summary', 'en') as {
      components: { name: string; status: string }[];
    };
    expect(summary.components.find((c) => c.name === 'API')?.status).toBe('under_maintenance');

    t.clock.set('2026-03-02T13:00:00Z');
    await twice();
    expect((await stored(m.id)).status).toBe('completed');
    expect((await notices(m.id)).slice(1)).toEqual([
      { key: 'clock-in_progress', status: 'in_progress' },
      { key: 'clock-completed', status: 'completed' },
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('entity_type', '=', 'status_page_maintenance')
      .where('entity_id', '=', m.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'status_page.maintenance_created',
      'status_page.maintenance_started',
      'status_page.maintenance_completed',
    ]);
  });

  it('moves a window it missed straight to completed with one notice', async () => {
    const m = await createMaintenance({
      ctx: t.ctx(),
      input: {
        name: 'Missed',
        components: ['Web'],
        scheduled_for: '2026-03-02T14:00:00Z',
        scheduled_until: '2026-03-02T15:00:00Z',
      },
    });
    t.clock.set('2026-03-02T16:00:00Z');
    await twice();
    expect((await stored(m.id)).status).toBe('completed');
    expect((await notices(m.id)).map((n) => n.key)).toEqual(['created', 'clock-completed']);
  });

  it('leaves alone what people move by hand, and windows without an end or automatic moves', async () => {
    const manual = await createMaintenance({
      ctx: t.ctx(),
      input: {
        name: 'Manual',
        scheduled_for: '2026-03-02T17:00:00Z',
        scheduled_until: '2026-03-02T18:00:00Z',
        auto_start: false,
        auto_complete: false,
      },
    });
    const open = await createMaintenance({
      ctx: t.ctx(),
      input: { name: 'Open-ended', scheduled_for: '2026-03-02T17:00:00Z' },
    });
    const verifying = await createMaintenance({
      ctx: t.ctx(),
      input: {
        name: 'Verified by hand',
        scheduled_for: '2026-03-02T16:30:00Z',
        scheduled_until: '2026-03-02T17:30:00Z',
      },
    });
    t.clock.set('2026-03-02T16:45:00Z');
    await twice();
    expect((await stored(verifying.id)).status).toBe('in_progress');
    await updateMaintenance({ ctx: t.ctx(), input: { id: verifying.id, status: 'verifying' } });

    t.clock.set('2026-03-03T00:00:00Z');
    await twice();
    expect((await stored(manual.id)).status).toBe('scheduled');
    expect((await stored(open.id)).status).toBe('in_progress');
    expect((await stored(verifying.id)).status).toBe('verifying');
    expect((await notices(manual.id)).map((n) => n.key)).toEqual(['created']);
    expect((await notices(open.id)).map((n) => n.key)).toEqual(['created', 'clock-in_progress']);
  });
});

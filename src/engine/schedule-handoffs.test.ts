import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestApp, testApp } from '../../test/helpers.ts';
import { createOverride } from '../domain/schedules/create-override.ts';
import { saveSchedule } from '../domain/schedules/save-schedule.ts';
import { Engine } from './engine.ts';
import { scheduleHandoffsModule } from './schedule-handoffs.ts';

const MINUTE = 60_000;
let t: TestApp;
let engine: Engine;

beforeAll(async () => {
  t = await testApp(); // clock: 2026-03-02T10:00:00Z
  engine = new Engine({ db: t.db, clock: t.clock }, [scheduleHandoffsModule()]);
  for (const handle of ['ha', 'hb', 'hc']) {
    await addUser(t.ctx(), handle);
  }
  await saveSchedule({
    ctx: t.ctx(),
    input: {
      schedule: {
        name: 'handoffs',
        time_zone: 'America/New_York',
        layers: [{ type: 'daily', handoff: '09:00', start: '2026-03-01', participants: ['ha', 'hb'] }],
      },
      mode: 'create',
    },
  });
});
afterAll(() => t.close());

async function handoffs() {
  const rows = await t.db
    .selectFrom('outbox')
    .select(['channel', 'destination', 'payload', 'dedup_key', 'created_at'])
    .where('dedup_key', 'like', 'handoff:%')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, payload: r.payload as { kind: string; text: string } }));
}

describe('schedule handoff notices', () => {
  it('tells the incoming person when a shift starts, once, across DST', async () => {
    await engine.runUntilIdle();
    expect(await handoffs()).toEqual([]); // 10:00Z: the 09:00 EST handoff (14:00Z) is still ahead

    t.clock.set('2026-03-02T13:59:59Z');
    await engine.runUntilIdle();
    expect(await handoffs()).toEqual([]);

    t.clock.set('2026-03-02T14:00:00Z');
    await engine.runUntilIdle();
    await engine.runUntilIdle(); // a second pass (or engine) queues nothing more
    const first = await handoffs();
    expect(first).toHaveLength(1);
    // Day 1 of [ha, hb] from 2026-03-01: hb.
    expect(first[0]).toMatchObject({
      channel: 'auto',
      destination: 'user:hb',
      payload: {
        kind: 'handoff',
        text: 'You are now on call for handoffs until Tue 3 Mar 2026 09:00 (America/New_York).',
      },
    });

    // 2026-03-08 (DST starts): 09:00 EDT is 13:00Z. The engine wakes 5 minutes late.
    t.clock.set('2026-03-08T13:05:00Z');
    await engine.runUntilIdle();
    const dst = await handoffs();
    expect(dst.slice(1).map((h) => [h.destination, h.dedup_key])).toEqual([
      ['user:hb', `handoff:handoffs:2026-03-08T13:00:00.000Z:${await idOf('hb')}`],
    ]);
  });

  it('looks back only a bounded window: a handoff long past is not announced late', async () => {
    const before = (await handoffs()).length;
    // The engine was down over the 2026-03-09 handoff (13:00Z) and comes back 11 minutes later.
    t.clock.set('2026-03-09T13:11:00Z');
    await engine.runUntilIdle();
    expect(await handoffs()).toHaveLength(before);
  });

  it('announces an override’s person when it starts, and the interrupted one when they are back', async () => {
    await createOverride({
      ctx: t.ctx(),
      input: {
        schedule: 'handoffs',
        override: { start: '2026-03-09T15:00:00Z', end: '2026-03-09T16:00:00Z', user: 'hc' },
      },
    });
    const before = (await handoffs()).length;
    t.clock.set(new Date(Date.parse('2026-03-09T15:00:00Z') + MINUTE));
    await engine.runUntilIdle();
    t.clock.set('2026-03-09T16:00:30Z');
    await engine.runUntilIdle();
    const after = (await handoffs()).slice(before);
    expect(after.map((h) => [h.destination, h.payload.text])).toEqual([
      ['user:hc', 'You are now on call for handoffs until Mon 9 Mar 2026 12:00 (America/New_York).'],
      // The override ended: ha is back on call, a new start for ha.
      ['user:ha', 'You are now on call for handoffs until Tue 10 Mar 2026 09:00 (America/New_York).'],
    ]);
  });
});

async function idOf(handle: string): Promise<string> {
  const row = await t.db
    .selectFrom('users')
    .select('id')
    .where('handle', '=', handle)
    .executeTakeFirstOrThrow();
  return String(row.id);
}

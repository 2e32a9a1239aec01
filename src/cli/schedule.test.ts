import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { addUser, type TestApp, testApp } from '../../test/helpers.ts';
import { saveSchedule } from '../domain/schedules/save-schedule.ts';

// `tocsin schedule …` and `tocsin oncall` as a script runs them: the real binary against a real server.
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp(); // clock: 2026-03-02T10:00:00Z
  tocsin = await cliAgainst(t);
  for (const handle of ['ca', 'cb']) {
    await addUser(t.ctx(), handle);
  }
  await saveSchedule({
    ctx: t.ctx(),
    input: {
      schedule: {
        name: 'cli-primary',
        time_zone: 'Europe/London',
        layers: [{ type: 'daily', handoff: '09:00', start: '2026-03-01', participants: ['ca', 'cb'] }],
      },
      mode: 'create',
    },
  });
});
afterAll(() => t.close());

async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const r = await tocsin(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('tocsin schedule and tocsin oncall', () => {
  it('lists, shows, and prints shifts; a too-long range fails with the field', async () => {
    const list = await json<{ name: string }[]>('schedule', 'list');
    expect(list.map((s) => s.name)).toEqual(['cli-primary']);
    const shown = await json<{ on_call: { users: string[] } }>('schedule', 'show', 'cli-primary');
    expect(shown.on_call.users).toEqual(['cb']); // 2026-03-02 10:00 London: day 1 → cb
    const shifts = await json<{ shifts: { start: string; users: string[] }[] }>(
      'schedule',
      'shifts',
      'cli-primary',
      '--from',
      '2026-03-28T00:00:00Z',
      '--to',
      '2026-03-30T00:00:00Z',
    );
    expect(shifts.shifts.map((s) => s.start)).toEqual([
      '2026-03-28T00:00:00.000Z',
      '2026-03-28T09:00:00.000Z',
      '2026-03-29T08:00:00.000Z',
    ]);
    const tooLong = await tocsin(
      'schedule',
      'shifts',
      'cli-primary',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2026-12-01T00:00:00Z',
    );
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toContain('querystring.to');
  });

  it('adds, lists and removes an override, and oncall follows it', async () => {
    const added = await json<{ id: string }>(
      'schedule',
      'override',
      'add',
      'cli-primary',
      '--user',
      'ca',
      '--replaces',
      'cb',
      '--start',
      '2026-03-02T09:30:00Z',
      '--end',
      '2026-03-02T12:00:00Z',
    );
    const now = await json<{ schedule: string; users: string[] }[]>('oncall');
    expect(now).toEqual([expect.objectContaining({ schedule: 'cli-primary', users: ['ca'] })]);
    const later = await json<{ users: string[] }[]>(
      'oncall',
      '--schedule',
      'cli-primary',
      '--at',
      '2026-03-02T13:00:00Z',
    );
    expect(later[0]?.users).toEqual(['cb']);
    const listed = await json<{ id: string; replaces: string }[]>(
      'schedule',
      'override',
      'list',
      'cli-primary',
      '--from',
      '2026-03-01T00:00:00Z',
    );
    expect(listed).toEqual([expect.objectContaining({ id: added.id, user: 'ca', replaces: 'cb' })]);
    await json('schedule', 'override', 'rm', 'cli-primary', added.id);
    const table = await tocsin('oncall');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/cli-primary\s+cb\s+2026-03-03 09:00Z\s+layer-1/);
  });
});

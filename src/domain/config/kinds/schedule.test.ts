import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../../test/helpers.ts';
import { readSources } from '../../../cli/apply.ts';
import { Invalid } from '../../../errors.ts';
import { SYSTEM_ACTOR } from '../../context.ts';
import { onCallUserIds, scheduleExists } from '../../schedules/on-call.ts';
import * as users from '../../users/queries.ts';
import { type ApplyResult, applyDocuments } from '../apply-documents.ts';
import type { ConfigSource } from '../documents.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const root = join(import.meta.dirname, '../../../..');

function apply(sources: ConfigSource[], dryRun = false): Promise<ApplyResult> {
  return applyDocuments({ ctx: t.ctx(SYSTEM_ACTOR), input: { sources, dryRun } });
}

async function applyErrors(sources: ConfigSource[]): Promise<string[]> {
  const error = await apply(sources).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  return (error as Invalid).details.map((d) => `${d.path}: ${d.message}`);
}

const people = ['ka', 'kb', 'kc']
  .map(
    (h) => `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: ${h} }
spec: { name: ${h} example, role: responder }
`,
  )
  .join('---\n');

const teamDoc = `apiVersion: tocsin.dev/v1
kind: Team
metadata: { name: kteam }
spec:
  members: [{ user: ka }]
`;

const scheduleDoc = (
  over: { zone?: string; participants?: string; extra?: string } = {},
) => `apiVersion: tocsin.dev/v1
kind: Schedule
metadata:
  name: kinds-primary
  description: config test
spec:
  timeZone: ${over.zone ?? 'America/New_York'}
  team: kteam
  layers:
    - name: days
      type: daily
      handoff: "09:00"
      start: "2026-03-01"
      participants: ${over.participants ?? '[ka, kb]'}
      restrictions:
        - { days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }${over.extra ?? ''}
    - name: always
      type: custom
      shiftLength: 12h
      handoff: "08:00"
      start: "2026-03-01"
      participants: [kc, ka]
`;

/** line:col of the first occurrence of `needle` in a text (1-based). */
function at(file: string, text: string, needle: string): string {
  const index = text.indexOf(needle);
  const before = text.slice(0, index).split('\n');
  return `${file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

describe('kind: Schedule', () => {
  it('applies after the users and team it names, whatever the file order; dry run first; idempotent', async () => {
    const sources = [
      { file: 'schedule.yaml', content: scheduleDoc() },
      { file: 'people.yaml', content: `${people}---\n${teamDoc}` },
    ];
    const dry = await apply(sources, true);
    expect(dry.results.find((r) => r.kind === 'Schedule')).toMatchObject({
      name: 'kinds-primary',
      change: 'created',
    });
    expect(await scheduleExists(t.db, 'kinds-primary')).toBe(false);

    const first = await apply(sources);
    expect(first.results.map((r) => r.kind)).toEqual(['User', 'User', 'User', 'Team', 'Schedule']);
    expect(await scheduleExists(t.db, 'kinds-primary')).toBe(true);
    const second = await apply(sources);
    expect(second.results.filter((r) => r.change !== 'unchanged')).toEqual([]);

    // Tuesday 2026-03-03 10:00 New York: the restricted first layer wins (day 2 of [ka, kb]: ka).
    const ka = await users.findByHandle(t.db, 'ka');
    const kc = await users.findByHandle(t.db, 'kc');
    expect(await onCallUserIds(t.db, 'kinds-primary', new Date('2026-03-03T15:00:00Z'))).toEqual([
      String(ka?.id),
    ]);
    // 20:00 the same day: only the 12 h layer; its 6th shift from 03-01 08:00 (kc, ka, …) is ka's,
    // and the 7th (08:00 next morning, before the first layer's 09:00) kc's.
    expect(await onCallUserIds(t.db, 'kinds-primary', new Date('2026-03-04T01:00:00Z'))).toEqual([
      String(ka?.id),
    ]);
    expect(await onCallUserIds(t.db, 'kinds-primary', new Date('2026-03-04T13:30:00Z'))).toEqual([
      String(kc?.id),
    ]);
    expect(await onCallUserIds(t.db, 'no-such-schedule', new Date())).toEqual([]);

    const changed = await apply(
      [{ file: 'schedule.yaml', content: scheduleDoc({ participants: '[kb, ka]' }) }],
      true,
    );
    const diff = changed.results[0];
    expect(diff).toMatchObject({ kind: 'Schedule', change: 'updated' });
    expect(diff?.diff).toEqual([
      { path: 'layers.0.participants.0', before: 'ka', after: 'kb' },
      { path: 'layers.0.participants.1', before: 'kb', after: 'ka' },
    ]);
  });

  it('points each error at file:line:col: unknown zone, rotation rules, unknown participants', async () => {
    const badZone = scheduleDoc({ zone: 'Mars/Olympus_Mons' });
    expect(await applyErrors([{ file: 'z.yaml', content: badZone }])).toEqual([
      `${at('z.yaml', badZone, 'Mars/Olympus_Mons')}: timeZone: unknown IANA time zone`,
    ]);
    const badRule = scheduleDoc({ extra: '\n      shiftLength: 8h' });
    expect(await applyErrors([{ file: 'r.yaml', content: badRule }])).toEqual([
      `${at('r.yaml', badRule, '8h')}: layers.0.shiftLength: a daily rotation has no shift_length`,
    ]);
    const unknown = scheduleDoc({ participants: '[ka, nobody-here]' });
    expect(await applyErrors([{ file: 'u.yaml', content: unknown }])).toEqual([
      `${at('u.yaml', unknown, 'nobody-here')}: Schedule "kinds-primary": layers.0.participants.1: no user with handle "nobody-here"`,
    ]);
  });

  it('sets up primary, secondary and sre from examples/setup next to the example plans', async () => {
    const sources = readSources([join(root, 'examples/setup'), join(root, 'examples/plans')]);
    const first = await apply(sources);
    const schedules = first.results.filter((r) => r.kind === 'Schedule');
    expect(schedules.map((r) => [r.name, r.change])).toEqual([
      ['primary', 'created'],
      ['secondary', 'created'],
      ['sre', 'created'],
    ]);
    const kinds = first.results.map((r) => r.kind);
    expect(kinds.lastIndexOf('Team')).toBeLessThan(kinds.indexOf('Schedule'));
    expect(kinds.lastIndexOf('Schedule')).toBeLessThan(kinds.indexOf('Plan'));
    const second = await apply(sources);
    expect(second.results.filter((r) => r.change !== 'unchanged')).toEqual([]);
    // Week of 2026-03-02 is the 9th week from 2026-01-05: [dawit, hanna, selam][8 % 3] = selam.
    const selam = await users.findByHandle(t.db, 'selam');
    expect(await onCallUserIds(t.db, 'primary', new Date('2026-03-04T12:00:00Z'))).toEqual([
      String(selam?.id),
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import * as incidents from '../incidents/queries.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { savePlan } from '../plans/save-plan.ts';
import { evaluate } from '../workflows/evaluate.ts';
import { lastPublishedUpdates } from '../workflows/queries.ts';
import { snapshotOf } from '../workflows/snapshot.ts';

// "Next update at": the author of an update says when the next one comes (API and CLI), and the
// overdue reminder follows it instead of the plan's cadence. Real database, virtual clock.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: promise }
severities: [{ id: SEV1, title: Critical, cadence: { internal: 30m } }]
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
});
afterAll(() => t.close());

async function call(url: string, payload: object) {
  const res = await t.app.inject({ method: 'POST', url, headers: auth(t.adminToken), payload });
  return { status: res.statusCode, body: res.json() };
}

async function declare(): Promise<string> {
  const res = await call('/api/v1/incidents', { title: 'Uploads fail', severity: 'SEV1' });
  expect(res.status).toBe(201);
  return res.body.incident.id;
}

/** Overdue marks of the internal cadence the engine would record at `now`. */
async function overdueAt(id: string, now: Date): Promise<string[]> {
  const row = await incidents.findIncident(t.db, id);
  if (!row) throw new Error('no incident');
  const { plan } = await loadPlanVersion(t.db, 'promise', 1);
  const incident = snapshotOf(row, await lastPublishedUpdates(t.db, [id]));
  return evaluate({ plan, incident, trigger: { kind: 'timer' }, now })
    .filter((f) => f.rule.name === 'plan: internal update cadence')
    .map((f) => String(f.facts.due_at?.toISOString()));
}

const at = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000);

describe('next update at', () => {
  it('an update that says "next in 45m" is due then, not at the 30m cadence', async () => {
    const id = await declare();
    const now = t.clock.now();
    const res = await call(`/api/v1/incidents/${id}/updates`, {
      audience: 'internal',
      bodies: { en: 'Rolling back; next update in 45 minutes' },
      next_update: '45m',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(new Date(res.body.update.next_update_at)).toEqual(at(now, 45));
    expect(await overdueAt(id, at(now, 40))).toEqual([]);
    expect(await overdueAt(id, at(now, 46))).toEqual([at(now, 45).toISOString()]);
    // After the promised time, again at the cadence while no update comes.
    expect(await overdueAt(id, at(now, 76))).toEqual([at(now, 75).toISOString()]);
    // A new update without a promise: the cadence decides again.
    await call(`/api/v1/incidents/${id}/updates`, { audience: 'internal', bodies: { en: 'Still on it' } });
    expect(await overdueAt(id, at(now, 31))).toEqual([at(now, 30).toISOString()]);
  });

  it('refuses a time that is not ahead, or more than a week ahead, at its path', async () => {
    const id = await declare();
    for (const next_update of ['soon', '0s', '8d', '2020-01-01T00:00:00Z']) {
      const res = await call(`/api/v1/incidents/${id}/updates`, {
        audience: 'internal',
        bodies: { en: 'x' },
        next_update,
      });
      expect(res.status, next_update).toBe(400);
      expect(res.body.error.details[0].path).toMatch(/(^|\.)next_update$/);
    }
  });

  it('tocsin incident update --next-update 45m', async () => {
    const tocsin = await cliAgainst(t);
    const id = await declare();
    const now = t.clock.now();
    const r = await tocsin('incident', 'update', id, '-m', 'Next in 45', '--next-update', '45m', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(new Date(JSON.parse(r.stdout).next_update_at)).toEqual(at(now, 45));
  });
});

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { changeSeverity } from '../incidents/change-severity.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { publishUpdate } from '../incidents/publish-update.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { applyPlan, outboxOf } from './testing.ts';

// Stakeholder summaries: the plan names its stakeholders (a group) and sends them a summary every
// hour while the incident is open and at its milestones (severity changed, resolved), without paging
// them; {latest_update} carries the latest published update into the summary.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: summaries }
languages: [en, am]
severities: [{ id: SEV1, title: Critical }, { id: SEV2, title: Major }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
groups: [{ id: stakeholders, title: Stakeholders, users: [lea] }]
templates:
  - id: summary
    kind: internal
    body: { en: "[{severity}] {title}: {state} for {duration}. Latest: {latest_update} Next update {next_update}. {url}" }
workflows:
  - name: hourly stakeholder summary
    when: { elapsed: 1h, since: declared, repeat: true }
    if: { state: { not: resolved } }
    then: [{ notify: { group: stakeholders, template: summary } }]
  - name: stakeholder summary when the severity changes
    when: incident.severity_changed
    then: [{ notify: { group: stakeholders, template: summary } }]
  - name: stakeholder summary at resolution
    when: incident.resolved
    then: [{ notify: { group: stakeholders, template: summary } }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const MINUTE = 60_000;

beforeAll(async () => {
  t = await freshDb();
  await addUser(ctx(), 'lea', { email: 'lea@example.com' });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});
afterAll(() => t.close());

async function summaries(id: string): Promise<string[]> {
  return (await outboxOf(t.db, id))
    .filter((r) => r.destination === 'group:stakeholders')
    .map((r) => String((r.payload as { text?: unknown }).text));
}

describe('stakeholder summaries', () => {
  it('go hourly while open and at severity change, with the latest update in the plan language', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'summaries', severity: 'SEV2', title: 'Search slow' },
    });
    const id = incident.id;
    await engine.runUntilIdle();
    expect(await summaries(id)).toEqual([]);

    clock.advance(20 * MINUTE);
    await publishUpdate({
      ctx: ctx(),
      input: {
        incidentId: id,
        audience: 'internal',
        bodies: { am: 'ፍለጋ ቀርፋፋ ነው።', en: 'Search is slow; we scale out.' },
      },
    });
    clock.advance(40 * MINUTE);
    await engine.runUntilIdle();
    await engine.runUntilIdle();
    const first = await summaries(id);
    expect(first).toHaveLength(1);
    expect(first[0]).toContain('[SEV2] Search slow: investigating for 1h');
    expect(first[0]).toContain('Latest: Search is slow; we scale out.');
    expect(first[0]).toContain(`/incidents/${id}`);

    clock.advance(10 * MINUTE);
    await changeSeverity({
      ctx: ctx(),
      input: { incidentId: id, severity: 'SEV1', reason: 'all regions now' },
    });
    await engine.runUntilIdle();
    expect((await summaries(id))[1]).toContain('[SEV1] Search slow');

    clock.advance(50 * MINUTE);
    await engine.runUntilIdle();
    expect(await summaries(id)).toHaveLength(3);

    clock.advance(5 * MINUTE);
    await resolveIncident({ ctx: ctx(), input: { incidentId: id, resolution: 'scaled out' } });
    await engine.runUntilIdle();
    expect((await summaries(id))[3]).toContain('[SEV1] Search slow: resolved for 2h5m');
    clock.advance(3 * 60 * MINUTE);
    await engine.runUntilIdle();
    expect(await summaries(id)).toHaveLength(4); // none hourly once resolved
  });

  it('says "none yet" before any update, and the placeholder is known to the validator', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'summaries', severity: 'SEV1', title: 'Quiet one' },
    });
    clock.advance(60 * MINUTE);
    await engine.runUntilIdle();
    expect((await summaries(incident.id))[0]).toContain('Latest: none yet');
    const typo = loadPlan(PLAN.replace('{latest_update}', '{latest_updates}'), 'p.yaml');
    expect(typo.errors.map((e) => e.message).join()).toContain('latest_updates');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Invalid } from '../../errors.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { applyPlan } from '../workflows/testing.ts';
import { declareIncident } from './declare-incident.ts';
import * as incidents from './queries.ts';

// Triage (issue 11 §3.8): a plan may say an unknown severity counts as the highest, so an incident
// can be declared before anyone knows how bad it is; otherwise the severity stays required.

const plan = (name: string, extra: string) => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ${name} }
${extra}
severities: [{ id: SEV1, title: Critical, targets: { acknowledge: 5m } }, { id: SEV2, title: Major }]
lifecycle: { states: [{ id: triage }, { id: resolved }] }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

beforeAll(async () => {
  t = await freshDb();
  await applyPlan(t.db, clock, plan('worst-case', 'unknownSeverity: highest'));
  await applyPlan(t.db, clock, plan('strict', ''));
});
afterAll(() => t.close());

describe('unknownSeverity', () => {
  it('highest: an incident declared without a severity counts as the most severe, visibly', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'worst-case', title: 'Something is off' },
    });
    expect(incident.severity).toBe('SEV1');
    const events = await incidents.listEvents(t.db, incident.id);
    expect(events.find((e) => e.kind === 'incident.declared')?.data).toMatchObject({
      severity_assumed: 'unknown severity counts as SEV1 (unknownSeverity: highest)',
    });
  });

  it('by default a severity is required (400 at severity)', async () => {
    const refused = declareIncident({ ctx: ctx(), input: { plan: 'strict', title: 'Something is off' } });
    await expect(refused).rejects.toBeInstanceOf(Invalid);
    await expect(refused).rejects.toMatchObject({
      details: [
        {
          path: 'severity',
          message: 'required: plan strict does not count an unknown severity as another (unknownSeverity)',
        },
      ],
    });
  });
});

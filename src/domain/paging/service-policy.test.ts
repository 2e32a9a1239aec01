import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { listIncidentPages } from './list-pages.ts';
import { planPagingGaps } from './paging-gaps.ts';

// Day one (issue 9, item 1): a service's escalation policy pages its incidents although the plan's
// severity names nobody (the `minimal` plan), unless the plan says `servicePolicy: false`; apply warns
// about every service or severity whose incidents would page nobody.

const SETUP = `
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: ana }
spec: { name: Ana, email: ana@example.com }
---
apiVersion: tocsin.dev/v1
kind: EscalationPolicy
metadata: { name: ana-first }
spec:
  steps:
    - { users: [ana], escalateAfter: 5m }
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: quiet }
severities:
  - { id: SEV1, title: Critical }
  - { id: SEV2, title: Minor, page: { servicePolicy: false } }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
---
apiVersion: tocsin.dev/v1
kind: Service
metadata: { name: payments }
spec: { plan: quiet, escalationPolicy: ana-first }
---
apiVersion: tocsin.dev/v1
kind: Service
metadata: { name: reports }
spec: { plan: quiet }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-01T10:00:00Z');
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
let warnings: string[];
let engine: Engine;

beforeAll(async () => {
  t = await freshDb();
  const result = await applyDocuments({
    ctx: ctx(),
    input: { sources: [{ file: 'setup.yaml', content: SETUP }] },
  });
  warnings = result.warnings;
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});

afterAll(async () => {
  await t.close();
});

async function pagedFor(service: string, severity: string): Promise<string[]> {
  const incident = await declareIncident({
    ctx: ctx(),
    input: { title: `${service} is down`, severity, plan: 'quiet', service },
  });
  await engine.runUntilIdle();
  const { messages } = await listIncidentPages({ ctx: ctx(), input: { incidentId: incident.id } });
  return messages.map((m) => m.user ?? m.destination ?? '');
}

describe("a service's escalation policy", () => {
  it('pages its incidents when the severity names nobody', async () => {
    expect(await pagedFor('payments', 'SEV1')).toEqual(['ana']);
  });

  it('is left out when the plan says servicePolicy: false', async () => {
    expect(await pagedFor('payments', 'SEV2')).toEqual([]);
  });

  it('apply warns about each service whose incidents would page nobody', () => {
    expect(warnings).toEqual([
      'service payments: SEV2 incidents page nobody (plan quiet sets servicePolicy: false and names nobody for them)',
      'service reports: SEV1, SEV2 incidents page nobody (the service has no escalationPolicy and plan quiet names nobody to page for them)',
    ]);
  });

  it('plan check warns about severities that page nobody, or only through a service', () => {
    const { plan } = loadPlan(SETUP.split('---')[2] as string, 'quiet.yaml');
    expect(plan && planPagingGaps(plan)).toEqual([
      'plan quiet: SEV2 incidents page nobody (page names no `to` or `policy` and servicePolicy is false)',
      "plan quiet: SEV1 incidents page only their service's escalation policy; without one they page nobody (set severities[].page.to or .policy)",
    ]);
  });
});

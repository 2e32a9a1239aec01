import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { alertRulesModule } from '../../engine/alert-rules.ts';
import { Engine } from '../../engine/engine.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import { firstAlertOf, firstAlertQuery } from './queries.ts';

// A page names its incident's first alert (firstAlertOf). After a flood of alerts that opened no
// incident, and before the alerts table was first analyzed, the planner walked the primary key in
// id order through the whole flood to reach the incident's alert, ~27 ms of PostgreSQL's CPU a page
// at 30,000 alerts (bench/peer.ts's first 100 alerts/s round fell seconds behind). The index of an
// incident's alerts holds id (migration 0910): the plan reads that index, stale statistics or not.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: first-alert }
severities:
  - { id: P1, title: Outage }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

/**
 * Alerts of the flood, all before the page's in id order: with the old index (incident_id alone) the
 * planner took the walk from about 20,000 of them (10,000: not yet).
 */
const FLOOD = 20_000;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

async function integrationOf(service: string, plan?: string) {
  await saveService({
    ctx: ctx(),
    input: {
      service: { name: service, ...(plan ? { plan, rules: { severity: { critical: 'P1' } } } : {}) },
      mode: 'create',
    },
  });
  return createIntegration({ ctx: ctx(), input: { service, type: 'pagerduty' } });
}

beforeAll(async () => {
  t = await freshDb();
  // The statistics stay what they were before the flood (none), as before autovacuum's first analyze.
  await sql`alter table alerts set (autovacuum_enabled = false)`.execute(t.db);
  await applyDocuments({
    ctx: ctx(),
    input: { sources: [{ file: 'first-alert.yaml', content: PLAN }], dryRun: false },
  });
  const flooded = await integrationOf('flooded');
  const paged = await integrationOf('paged', 'first-alert');
  for (let from = 0; from < FLOOD; from += 1000) {
    await ingestAlertEvents({
      ctx: ctx(),
      input: {
        integration: flooded,
        events: Array.from({ length: 1000 }, (_, i) => ({
          action: 'trigger' as const,
          dedupKey: `flood-${from + i}`,
          summary: 'stored, no incident',
          severity: 'critical' as const,
          raw: {},
        })),
      },
    });
  }
  await ingestAlertEvents({
    ctx: ctx(),
    input: {
      integration: paged,
      events: [
        {
          action: 'trigger',
          dedupKey: 'disk',
          summary: 'Disk 97%',
          source: 'db-17',
          severity: 'critical',
          raw: {},
        },
      ],
    },
  });
  // Only the alert rules: the flood is decided (recorded, no incident) and the page's alert declares.
  await new Engine({ db: t.db, clock }, [alertRulesModule()]).runUntilIdle(100);
});
afterAll(() => t.close());

/** The indexes a JSON plan's nodes read. */
function indexesOf(node: Record<string, unknown>): string[] {
  const own = typeof node['Index Name'] === 'string' ? [node['Index Name'] as string] : [];
  const plans = (node.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [...own, ...plans.flatMap(indexesOf)];
}

describe("an incident's first alert after a flood of alerts without an incident", () => {
  it('is read from the index of incidents’ alerts, not by walking every alert in id order', async () => {
    const incident = await t.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow();
    const analyzed = await t.db
      .selectFrom(sql<{ relname: string; analyze_count: string }>`pg_stat_user_tables`.as('s'))
      .select(sql<string>`s.autoanalyze_count + s.analyze_count`.as('n'))
      .where('s.relname', '=', 'alerts')
      .executeTakeFirstOrThrow();
    expect(Number(analyzed.n)).toBe(0);
    const [explained] = await firstAlertQuery(t.db, String(incident.id)).explain('json');
    const plans = (explained?.['QUERY PLAN'] ?? []) as { Plan: Record<string, unknown> }[];
    const plan = plans[0]?.Plan ?? {};
    expect(indexesOf(plan)).toEqual(['alerts_incident']);
    expect(await firstAlertOf(t.db, String(incident.id))).toMatchObject({
      source: 'db-17',
      summary: 'Disk 97%',
    });
  });
});

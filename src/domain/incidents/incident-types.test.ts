import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { Conflict, Invalid } from '../../errors.ts';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { planTypeFor } from '../alert-rules/alert-rules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { loadScenario } from '../drills/report.ts';
import { runDrill } from '../drills/run-drill.ts';
import { loadPlan } from '../plans/plan.ts';
import { serviceRulesSchema } from '../services/services.ts';
import { getPlanRules } from '../workflows/get-plan-rules.ts';
import { applyPlan } from '../workflows/testing.ts';
import { changeSeverity } from './change-severity.ts';
import { changeType } from './change-type.ts';
import { declareIncident } from './declare-incident.ts';
import { describeEvent } from './describe-event.ts';
import { getIncident } from './get-incident.ts';
import { listIncidents } from './list-incidents.ts';
import * as incidents from './queries.ts';
import { resolveIncident } from './resolve-incident.ts';

// Incident types (issue 11 §3.1): beside severity, a type may page more people, replace targets,
// name the chat channel and start checklists; an incident can change type, and a workflow can match
// on it.

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: typed }
severities:
  - { id: SEV1, title: Critical, targets: { acknowledge: 15m } }
  - { id: SEV2, title: Major, targets: { acknowledge: 30m, resolve: 8h } }
types:
  - id: security
    name: Security
    description: A suspected breach or leaked secret
    page: { to: security-team }
    targets: { acknowledge: 5m }
    channel: "sec-{date}-{id}"
    checklists: [forensics]
  - { id: availability, name: Availability }
groups:
  - { id: security-team, title: Security team, users: [sam] }
  - { id: leads, title: Leads, users: [lee] }
roles: [{ id: incident-commander, title: Incident Commander }]
checklists:
  forensics: ["Preserve the logs", "Rotate the credentials"]
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: leads hear about security
    when: incident.type_changed
    if: { type: security }
    then: [{ note: "Security type set on {title}" }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

beforeAll(async () => {
  t = await freshDb();
  for (const h of ['sam', 'lee']) await addUser(ctx(), h, { email: `${h}@example.com` });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});
afterAll(() => t.close());

const escalationSources = async (id: string) =>
  (
    await t.db
      .selectFrom('escalations')
      .select('source')
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute()
  ).map((e) => e.source);

describe('incident types', () => {
  it('declared with a type: its page, checklist, channel pattern and targets apply', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'typed', severity: 'SEV2', type: 'security', title: 'Leaked key' },
    });
    expect(incident.type).toBe('security');
    expect(incident.channel_name).toBe(`sec-2026-03-02-${incident.id}`);
    await engine.runUntilIdle();
    expect(await escalationSources(incident.id)).toEqual(['type:security']);
    const detail = await getIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    expect(detail.checklists.map((c) => c.name)).toEqual(['forensics']);
    // The type's 5m acknowledge replaces SEV2's 30m; SEV2's resolve target stays.
    expect(detail.targets.map((x) => [x.target, x.duration_ms / 60_000])).toEqual([
      ['acknowledge', 5],
      ['resolve', 480],
    ]);
    const declared = detail.timeline.find((e) => e.kind === 'incident.declared');
    expect(describeEvent('incident.declared', declared?.data as Record<string, unknown>)).toBe(
      'declared SEV2 security under typed@1',
    );
    await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
  });

  it('changing type runs the new type, on the timeline and audited, and workflows match on it', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'typed', severity: 'SEV1', type: 'availability', title: 'Login down' },
    });
    expect(incident.channel_name).toMatch(/^incident-\d+-login-down$/);
    await engine.runUntilIdle();
    expect(await escalationSources(incident.id)).toEqual([]);
    clock.advance(10 * 60_000);
    const changed = await changeType({
      ctx: ctx(),
      input: { incidentId: incident.id, type: 'security', reason: 'an intrusion, not a bug' },
    });
    expect(changed.type).toBe('security');
    await engine.runUntilIdle();
    expect(await escalationSources(incident.id)).toEqual(['type:security']);
    const detail = await getIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    expect(detail.checklists.map((c) => c.name)).toEqual(['forensics']);
    const change = detail.timeline.find((e) => e.kind === 'incident.type_changed');
    expect(describeEvent('incident.type_changed', change?.data as Record<string, unknown>)).toBe(
      'type availability → security: an intrusion, not a bug',
    );
    expect(
      detail.timeline.some((e) => e.kind === 'note' && e.data.text === 'Security type set on Login down'),
    ).toBe(true);
    const audits = await t.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('entity_id', '=', incident.id)
      .where('action', '=', 'incident.type_changed')
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]?.after).toMatchObject({ type: 'security', reason: 'an intrusion, not a bug' });
    // The same type again is no change: nothing new on the timeline.
    await changeType({ ctx: ctx(), input: { incidentId: incident.id, type: 'security', reason: 'again' } });
    const again = await incidents.listEvents(t.db, incident.id);
    expect(again.filter((e) => e.kind === 'incident.type_changed')).toHaveLength(1);
    // Clearing it, and the type filter of the list.
    const listed = await listIncidents({ ctx: ctx(), input: { type: 'security', state: 'open' } });
    expect(listed.incidents.map((i) => i.id)).toEqual([incident.id]);
    await changeType({ ctx: ctx(), input: { incidentId: incident.id, type: null, reason: 'not security' } });
    expect((await incidents.findIncident(t.db, incident.id))?.type).toBeNull();
    await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    // A resolved incident keeps its type.
    await expect(
      changeType({ ctx: ctx(), input: { incidentId: incident.id, type: 'security', reason: 'late' } }),
    ).rejects.toBeInstanceOf(Conflict);
  });

  it('refuses a type the plan does not define, at declaration and on a change (400 at type)', async () => {
    const declared = declareIncident({
      ctx: ctx(),
      input: { plan: 'typed', severity: 'SEV1', type: 'fraud', title: 'x' },
    });
    await expect(declared).rejects.toBeInstanceOf(Invalid);
    await expect(declared).rejects.toMatchObject({
      details: [{ path: 'type', message: 'not a type of plan typed (security, availability)' }],
    });
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'typed', severity: 'SEV1', title: 'y' },
    });
    expect(incident.type).toBeNull();
    await expect(
      changeType({ ctx: ctx(), input: { incidentId: incident.id, type: 'fraud', reason: 'r' } }),
    ).rejects.toMatchObject({ details: [{ path: 'type' }] });
    await expect(
      changeType({ ctx: ctx(), input: { incidentId: incident.id, type: 'security', reason: '' } }),
    ).rejects.toThrow();
    // Severity changes leave the type alone.
    await changeSeverity({ ctx: ctx(), input: { incidentId: incident.id, severity: 'SEV2', reason: 'r' } });
    expect((await incidents.findIncident(t.db, incident.id))?.type).toBeNull();
    await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
  });

  it('GET /plans/:name/rules lists what each type does', async () => {
    const { rules } = await getPlanRules({ ctx: ctx(), input: { name: 'typed' } });
    const names = rules.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['plan: type security', 'plan: type security when changed']),
    );
    expect(rules.find((r) => r.name === 'plan: type security')?.description).toBe(
      'security incidents: alert security-team and start forensics on declaration',
    );
    // A type that changes nothing compiles to no rule.
    expect(names.some((n) => n.includes('availability'))).toBe(false);
  });

  it('alert rules set the type: a label naming one, else the service type', () => {
    const { plan } = loadPlan(PLAN, 'typed.yaml');
    if (!plan) throw new Error('plan did not load');
    const rules = serviceRulesSchema.parse({ type: 'availability', typeLabel: 'tocsin_type' });
    expect(planTypeFor({ labels: { tocsin_type: 'security' } }, rules, plan)).toEqual({
      type: 'security',
      notes: [],
    });
    expect(planTypeFor({ labels: {} }, rules, plan)).toEqual({ type: 'availability', notes: [] });
    expect(planTypeFor({ labels: { tocsin_type: 'fraud' } }, rules, plan)).toEqual({
      type: 'availability',
      notes: ['label tocsin_type="fraud" is not an incident type of the plan'],
    });
  });
});

describe('incident types in drills', { timeout: 120_000 }, () => {
  it('declares with a type and changes type; the report judges the type’s targets', async () => {
    const { scenario, errors } = loadScenario(
      `severity: SEV2
type: availability
users: [sam, lee]
steps:
  - { at: "0", do: declare }
  - { at: 2m, do: type, to: security, text: "it was an intrusion" }
  - { at: 4m, do: acknowledge }
  - { at: 20m, do: resolve }
`,
      's.yaml',
    );
    expect(errors).toEqual([]);
    const d = await freshDb();
    try {
      const report = await runDrill(
        d.db,
        { planSource: PLAN, planFile: 'typed.yaml', scenario },
        drillEngine,
      );
      expect(report.type).toBe('security');
      expect(report.steps.every((s) => s.ok)).toBe(true);
      expect(report.targets.find((x) => x.target === 'acknowledge')).toMatchObject({
        duration: '5m',
        verdict: 'met',
      });
      expect(report.workflows.map((w) => w.workflow)).toEqual(
        expect.arrayContaining(['plan: type security when changed', 'leads hear about security']),
      );
    } finally {
      await d.close();
    }
  });
});

describe('incident types: bad input', () => {
  it('names unknown references at line:col', () => {
    const bad = PLAN.replace('page: { to: security-team }', 'page: { to: sec-team }')
      .replace('checklists: [forensics]', 'checklists: [forensic]')
      .replace('channel: "sec-{date}-{id}"', 'channel: "sec-{when}"')
      .replace('if: { type: security }', 'if: { type: secuirty }')
      .replace('  - { id: availability, name: Availability }', '  - { id: security, name: Again }');
    expect(loadPlan(bad, 'p.yaml').errors.map(formatSourceError)).toEqual([
      'p.yaml:11:17: types.0.page.to: undefined group or role "sec-team"',
      'p.yaml:13:19: types.0.channel: unknown placeholder {when}; use {id}, {slug}, {severity}, {date}',
      'p.yaml:14:18: types.0.checklists.0: undefined checklist "forensic"',
      'p.yaml:15:11: types.1.id: duplicate type id "security"',
      'p.yaml:27:17: workflows.0.if.type: undefined incident type "secuirty"',
    ]);
    const typed = PLAN.replace('  - { id: availability, name: Availability }', '  - { id: availability }');
    expect(loadPlan(typed, 'p.yaml').errors.map(formatSourceError)).toEqual([
      expect.stringMatching(/^p\.yaml:15:5: types\.1\.name: /),
    ]);
  });
});

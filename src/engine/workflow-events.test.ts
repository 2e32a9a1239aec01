import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { ingestAlertEvents } from '../domain/alerts/ingest-alert-events.ts';
import { applyDocuments } from '../domain/config/apply-documents.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';
import { Engine, type EngineModule } from './engine.ts';
import { engineModules } from './modules.ts';

// The workflow-events module consumes the records the engine appends while paging (paging.started,
// paging.step, workflow.fired: kinds no plan can trigger on) by its claim alone, and says it found
// no work, so a wake-up does not run it again at once; a trigger kind still fires its workflows.

const SETUP = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: cy }
spec:
  name: cy
  email: cy@example.com
  role: responder
  contacts:
    - { kind: push, address: cy-phone, label: phone, verified: true }
  notificationRules:
    - { contact: phone, after: 0m }
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: quiet }
severities:
  - { id: P1, title: Outage, page: { to: pagers, channels: [push] } }
groups:
  - { id: pagers, title: Pagers, users: [cy] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: note severity changes
    when: incident.severity_changed
    then:
      - addTask: { title: severity moved, due: 1h }
`;

let t: TestApp;
let engine: Engine;
let modules: EngineModule[];
const mod = (name: string) => modules.find((m) => m.name === name) as EngineModule;

beforeAll(async () => {
  t = await testApp();
  modules = engineModules();
  engine = new Engine({ db: t.db, clock: t.clock }, modules);
  await applyDocuments({
    ctx: t.ctx(),
    input: { sources: [{ file: 'quiet.yaml', content: SETUP }], dryRun: false },
  });
  await engine.runUntilIdle();
});
afterAll(() => t.close());

const unprocessed = (incidentId: string) =>
  t.db
    .selectFrom('incident_events')
    .select('kind')
    .where('incident_id', '=', incidentId)
    .where('processed_at', 'is', null)
    .execute();

describe('workflow-events consumes what nothing listens to by its claim', () => {
  it('takes the paging records as no work, and still fires on a trigger kind', async () => {
    const ctx = t.ctx();
    await saveService({
      ctx,
      input: {
        service: { name: 'quiet-svc', plan: 'quiet', rules: { severity: { critical: 'P1' } } },
        mode: 'create',
      },
    });
    const integration = await createIntegration({ ctx, input: { service: 'quiet-svc', type: 'pagerduty' } });
    await ingestAlertEvents({
      ctx,
      input: {
        integration,
        events: [{ action: 'trigger', dedupKey: 'q-1', summary: 'down', severity: 'critical', raw: {} }],
      },
    });
    // Alert routing declares and pages in its tick; the paging records it appends are left over.
    expect((await engine.tickModule(mod('alert-rules'))).handled).toBeGreaterThan(0);
    const [incident] = await t.db
      .selectFrom('incidents')
      .select('id')
      .where('service', '=', 'quiet-svc')
      .execute();
    const id = String(incident?.id);
    const left = (await unprocessed(id)).map((e) => e.kind);
    expect(left.length).toBeGreaterThan(0);
    expect(left).not.toContain('incident.declared');
    const outcome = await engine.tickModule(mod('workflow-events'));
    expect(outcome).toMatchObject({ outcome: 'ran', handled: 0 });
    expect(await unprocessed(id)).toEqual([]);

    // A trigger kind is heard: the plan's workflow fires.
    await t.db
      .insertInto('incident_events')
      .values({
        incident_id: id,
        kind: 'incident.severity_changed',
        data: { from: 'P1', to: 'P1' },
        at: t.clock.now(),
        actor_name: 'test',
      })
      .execute();
    expect((await engine.tickModule(mod('workflow-events'))).handled).toBe(1);
    const tasks = await t.db
      .selectFrom('action_items')
      .select('title')
      .where('incident_id', '=', id)
      .execute();
    expect(tasks.map((r) => r.title)).toContain('severity moved');
  });
});

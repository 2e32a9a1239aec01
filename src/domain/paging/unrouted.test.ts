import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { describeEvent } from '../incidents/describe-event.ts';
import { listIncidentEvents } from '../incidents/list-incident-events.ts';
import { savePlan } from '../plans/save-plan.ts';

// Day one (issue 9, item 4): a page or message whose recipient resolves to nobody (a customers
// group, a group whose only chat is a handle) is not silently "routed": the incident's timeline says so, and
// /health/detailed counts them and lists the latest with incident and recipient.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: nobody }
severities:
  - { id: SEV1, title: Critical, page: { to: customers, servicePolicy: false } }
groups:
  - { id: customers, title: Customers, customers: all }
  - { id: execs, title: Executives, chat: "@execs" }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: tell people
    when: incident.declared
    then:
      - notify: { group: customers, message: "We are looking into it" }
      - notify: { group: execs, message: "FYI" }
`;

let t: TestApp;
let engine: Engine;

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules({ deliver: false }));
  await addUser(t.ctx(), 'ana', { email: 'ana@example.com' });
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
});
afterAll(() => t.close());

const detailed = async () => {
  const res = await t.app.inject({ url: '/health/detailed', headers: auth(t.adminToken) });
  expect(res.statusCode).toBe(200);
  return res.json().paging as {
    routed_to_nobody_24h: number;
    routed_to_nobody_latest: { incident_id: string; recipient: string; what: string }[];
  };
};

describe('recipients that resolve to nobody', () => {
  it('start at zero in /health/detailed', async () => {
    expect(await detailed()).toMatchObject({ routed_to_nobody_24h: 0, routed_to_nobody_latest: [] });
  });

  it('are on the timeline and in /health/detailed, with incident and recipient', async () => {
    const incident = await declareIncident({
      ctx: t.ctx(),
      input: { title: 'Checkout down', severity: 'SEV1', plan: 'nobody' },
    });
    await engine.runUntilIdle();
    const events = await listIncidentEvents({ ctx: t.ctx(), input: { incidentId: incident.id } });
    const lines = events.map((e) => describeEvent(e.kind, e.data as Record<string, unknown>));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('nobody in group:customers'),
        expect.stringMatching(/notify \(auto\) to group:customers reached nobody/),
        expect.stringMatching(/notify \(auto\) to group:execs reached nobody/),
      ]),
    );
    const health = await detailed();
    expect(health.routed_to_nobody_24h).toBe(3);
    expect(health.routed_to_nobody_latest).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          incident_id: incident.id,
          recipient: 'group:customers',
          what: 'page, step 1 (severity)',
        }),
        expect.objectContaining({
          incident_id: incident.id,
          recipient: 'group:customers',
          what: 'notify (auto)',
        }),
        expect.objectContaining({
          incident_id: incident.id,
          recipient: 'group:execs',
          what: 'notify (auto)',
        }),
      ]),
    );
  });

  it('leave the 24-hour count after a day, and stay among the latest', async () => {
    t.clock.advance(25 * 3600_000);
    const health = await detailed();
    expect(health.routed_to_nobody_24h).toBe(0);
    expect(health.routed_to_nobody_latest).toHaveLength(3);
  });
});

describe('tocsin apply', () => {
  it('warns about groups of no one and chat channels no configuration routes', async () => {
    const content = `${PLAN.replace('name: nobody', 'name: nobody-too')}  - name: tell status\n    when: incident.resolved\n    then: [{ post: { channel: "#status" } }]\n`;
    const { warnings } = await applyDocuments({
      ctx: t.ctx(),
      input: { sources: [{ file: 'nobody.yaml', content }], dryRun: true },
    });
    expect(warnings).toEqual(
      expect.arrayContaining([
        'plan nobody-too: group customers names no one Tocsin can message (customers are reached through the status page only): pages and messages to it reach nobody',
        'plan nobody-too: group execs names no one Tocsin can message (chat @execs is a handle, not a #channel): pages and messages to it reach nobody',
        'plan nobody-too: no chat provider is configured (TOCSIN_CHAT_WEBHOOKS, TOCSIN_SLACK_BOT_TOKEN): posts to #status reach nobody (workflows.1.then.0.post.channel)',
      ]),
    );
  });
});

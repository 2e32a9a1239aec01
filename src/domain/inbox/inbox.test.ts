import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { ADMIN_TOKEN, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { savePlan } from '../plans/save-plan.ts';
import { saveService } from '../services/save-service.ts';
import { createToken } from '../users/create-token.ts';

// Day one (issue 9, item 3): with no provider configured (the quick start), a page still reaches a
// person — in their inbox (API and CLI) — and the auditor does not call that a paging failure.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: inbox }
severities:
  - { id: SEV1, title: Critical, page: { to: on-call, channels: [push, sms] } }
groups:
  - { id: on-call, title: On call, users: [admin, ana] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestApp;
let engine: Engine;
let anaToken: string;
let incidentId: string;

beforeAll(async () => {
  t = await testApp();
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  await saveService({ ctx, input: { service: { name: 'tocsin' }, mode: 'create' } });
  await saveService({ ctx, input: { service: { name: 'checkout', plan: 'inbox' }, mode: 'create' } });
  const ana = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: ana }
spec:
  name: Ana
  email: ana@example.com
  contacts: [{ kind: push, address: ana-phone, verified: true }]
  notificationRules: [{ contact: push, after: 0m }]
`;
  await applyDocuments({ ctx, input: { sources: [{ file: 'ana.yaml', content: ana }] } });
  anaToken = (await createToken({ ctx, input: { name: 'test', user: 'ana' } })).token;
  // No provider at all, as after `npm start` with nothing configured.
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules({ providers: providerRegistry([]) }));
  const incident = await declareIncident({
    ctx,
    input: { title: 'Checkout is down', severity: 'SEV1', plan: 'inbox', service: 'checkout' },
  });
  incidentId = incident.id;
  await engine.runUntilIdle();
});
afterAll(() => t.close());

const inboxOf = async (token: string, query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/inbox${query}`, headers: auth(token) });
  expect(res.statusCode).toBe(200);
  return res.json().items as { id: string; incident_id: string; title: string; body: string; url: string }[];
};

describe('the inbox', () => {
  it('holds every page, with the incident link, for each person paged', async () => {
    const [item, ...rest] = await inboxOf(anaToken);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      incident_id: incidentId,
      title: `[SEV1] #${incidentId} Checkout is down (checkout)`,
      url: expect.stringMatching(new RegExp(`^http://[^/]+/incidents/${incidentId}$`)),
      read_at: null,
    });
    expect(item?.body).toContain('You are paged at step 1 of 1. Also paged now: admin.');
    expect(item?.body).toContain(`npx tocsin incident resolve ${incidentId}`);
    expect(await inboxOf(t.adminToken)).toHaveLength(1);
  });

  it('marks an item read, once; someone else’s item or a bad id is refused', async () => {
    const [item] = await inboxOf(anaToken);
    const read = await t.app.inject({
      method: 'POST',
      url: `/api/v1/inbox/${item?.id}/read`,
      headers: auth(anaToken),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().item.read_at).toBe(t.clock.now().toISOString());
    expect(await inboxOf(anaToken, '?unread=true')).toEqual([]);
    const admins = await t.app.inject({
      method: 'POST',
      url: `/api/v1/inbox/${item?.id}/read`,
      headers: auth(t.adminToken),
    });
    expect(admins.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/inbox/x/read', headers: auth(anaToken) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.id');
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/inbox' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lists through the CLI', async () => {
    const tocsin = await cliAgainst(t);
    const out = await tocsin('inbox');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`[SEV1] #${incidentId} Checkout is down (checkout)`);
    expect(out.stdout).toContain(`/incidents/${incidentId}`);
    const json = await tocsin('inbox', '--json');
    expect(JSON.parse(json.stdout)).toHaveLength(1);
  });

  it('pages of channels without a provider are not an auditor SEV1 nor a degraded health', async () => {
    t.clock.advance(5 * 60_000);
    await engine.runUntilIdle();
    const selfAlerts = await t.db.selectFrom('alerts').select('dedup_key').execute();
    expect(selfAlerts).toEqual([]);
    const health = await t.app.inject({ method: 'GET', url: '/health/detailed', headers: auth(ADMIN_TOKEN) });
    expect(health.json()).toMatchObject({
      status: 'ok',
      paging: { overdue_pages: 0, channels_off: ['email', 'sms', 'voice', 'push', 'slack', 'chat'] },
    });
    // Ana's push page waits for a provider, visible in the outbox; it is not "overdue".
    const pending = await t.db.selectFrom('outbox').select(['status', 'channel']).execute();
    expect(pending).toEqual([{ status: 'pending', channel: 'push' }]);
  });
});

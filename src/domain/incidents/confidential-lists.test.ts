import { describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { NotFound } from '../../errors.ts';
import { listActionItemsQuerySchema } from '../action-items/action-items.ts';
import { createActionItem } from '../action-items/create-action-item.ts';
import { getActionItem } from '../action-items/get-action-item.ts';
import { listActionItems } from '../action-items/list-action-items.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { getAlert } from '../alerts/get-alert.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { listAlerts } from '../alerts/list-alerts.ts';
import { postEventToIncidentChannel } from '../chat/incident-channel.ts';
import { runSlashCommand } from '../chat/run-slash-command.ts';
import { acknowledgeIncidentAs } from '../paging/acknowledge-page.ts';
import { getPage, listPages } from '../paging/list-pages.ts';
import { pageManually } from '../paging/page-manually.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { getPostmortem } from '../postmortems/get-postmortem.ts';
import { listPostmortems } from '../postmortems/list-postmortems.ts';
import { listPostmortemsQuerySchema } from '../postmortems/postmortem.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import { incidentVars, render } from '../workflows/render.ts';
import { snapshotOf } from '../workflows/snapshot.ts';
import { confidentialWorld } from './confidential-testing.ts';
import { declareIncident } from './declare-incident.ts';
import { getIncident } from './get-incident.ts';
import { linkIncidents } from './link-incidents.ts';
import { mergeIncident } from './merge-incident.ts';
import { resolveIncident } from './resolve-incident.ts';

// Confidential incidents (issue 11 §3.2) in the lists that span incidents: page history, alerts,
// post-mortems and action items show nothing of one to who may not see it; its own people see it all.

const w = confidentialWorld();
const { as, system, declareSecret } = w;

const declarePublic = (title: string) =>
  declareIncident({
    ctx: system(),
    input: { plan: 'secret', severity: 'SEV1', title, type: 'availability' },
  });

describe('confidential incidents in cross-incident lists', () => {
  it('page history (GET /api/v1/pages) leaves out the pages of an incident the caller may not see', async () => {
    const secret = await declareSecret({ title: 'Card numbers in logs' });
    const open = await declarePublic('Checkout slow');
    const page = (incident: string) =>
      pageManually({ ctx: as('ada'), input: { target: 'user:sec', message: 'look', incident } });
    const hiddenPage = await page(secret.id);
    const openPage = await page(open.id);
    const idsFor = async (handle: 'bob' | 'sec' | 'ada') =>
      (await listPages({ ctx: as(handle), input: { limit: 500 } })).pages.map((p) => p.id);
    expect(await idsFor('bob')).toContain(openPage.id);
    expect(await idsFor('bob')).not.toContain(hiddenPage.id);
    // sec was paged (and is in visibleTo), ada is an admin.
    expect(await idsFor('sec')).toContain(hiddenPage.id);
    expect(await idsFor('ada')).toContain(hiddenPage.id);
    expect(await getPage({ ctx: as('bob'), input: { id: hiddenPage.id } })).toBeUndefined();
    expect((await getPage({ ctx: as('sec'), input: { id: hiddenPage.id } }))?.incident_id).toBe(secret.id);
    // Nor can an outsider page someone about it: the incident is as missing as any other.
    await expect(
      pageManually({ ctx: as('bob'), input: { target: 'user:ivy', message: 'x', incident: secret.id } }),
    ).rejects.toBeInstanceOf(NotFound);
  });

  it('post-mortems list and get: missing for who may not see the incident', async () => {
    const secret = await declareSecret({ title: 'Insider exported HR files' });
    await resolveIncident({ ctx: system(), input: { incidentId: secret.id, resolution: 'access revoked' } });
    const list = async (handle: 'bob' | 'sec') =>
      (
        await listPostmortems({ ctx: as(handle), input: listPostmortemsQuerySchema.parse({ limit: 500 }) })
      ).map((p) => p.incident_id);
    expect(await list('sec')).toContain(secret.id);
    expect(await list('bob')).not.toContain(secret.id);
    await expect(getPostmortem({ ctx: as('bob'), input: { incidentId: secret.id } })).rejects.toThrow(
      `post-mortem of incident "${secret.id}" not found`,
    );
    expect((await getPostmortem({ ctx: as('sec'), input: { incidentId: secret.id } })).incident_id).toBe(
      secret.id,
    );
  });

  it('action items list and get: those of a hidden incident are left out or 404', async () => {
    const secret = await declareSecret({ title: 'SSO keys leaked' });
    const open = await declarePublic('Search down');
    const item = async (incident_id: string, title: string) =>
      createActionItem({ ctx: as('ada'), input: { incident_id, title } });
    const hidden = await item(secret.id, 'Rotate SSO signing keys');
    const shown = await item(open.id, 'Add search replica');
    const list = async (handle: 'bob' | 'sec') =>
      (
        await listActionItems({
          ctx: as(handle),
          input: listActionItemsQuerySchema.parse({ status: 'all', limit: 500 }),
        })
      ).map((i) => i.id);
    expect(await list('bob')).toContain(shown.id);
    expect(await list('bob')).not.toContain(hidden.id);
    expect(await list('sec')).toContain(hidden.id);
    await expect(getActionItem({ ctx: as('bob'), input: { id: hidden.id } })).rejects.toThrow(
      `action item "${hidden.id}" not found`,
    );
    expect((await getActionItem({ ctx: as('sec'), input: { id: hidden.id } })).title).toBe(
      'Rotate SSO signing keys',
    );
  });

  it('alerts list and get keep the alert but drop the link to an incident the caller may not see', async () => {
    const ctx = system();
    await saveService({
      ctx,
      input: { service: { name: 'vault', plan: 'secret', rules: { declare: 'info' } }, mode: 'create' },
    });
    const integration = await createIntegration({ ctx, input: { service: 'vault', type: 'pagerduty' } });
    const event = {
      action: 'trigger',
      dedupKey: 'pii-export',
      summary: 'Bulk export of customer PII',
      severity: 'critical',
      labels: { data: 'pii' },
      raw: {},
    } as InboundAlertEvent;
    await ingestAlertEvents({ ctx, input: { integration, events: [event] } });
    await new Engine({ db: w.db, clock: w.clock }, engineModules()).runUntilIdle();
    const all = await listAlerts({ ctx: as('ada'), input: { service: 'vault', status: 'all' } });
    const [alert] = all.alerts;
    const incidentId = alert?.incident_id;
    expect(incidentId).toBeTruthy();
    expect(alert?.routing).toBe(`declared:${incidentId}`);

    const bobs = await listAlerts({ ctx: as('bob'), input: { service: 'vault', status: 'all' } });
    expect(bobs.alerts.map((a) => [a.id, a.summary, a.incident_id, a.routing])).toEqual([
      [alert?.id, 'Bulk export of customer PII', null, 'declared'],
    ]);
    const got = await getAlert({ ctx: as('bob'), input: { alertId: String(alert?.id) } });
    expect([got.alert.incident_id, got.alert.routing]).toEqual([null, 'declared']);
    expect(JSON.stringify(got.events)).not.toContain(`declared:${incidentId}`);
    // sec (visibleTo) sees the link.
    const secs = await getAlert({ ctx: as('sec'), input: { alertId: String(alert?.id) } });
    expect(secs.alert.incident_id).toBe(incidentId);
  });
});

describe('confidential incidents from chat', () => {
  const deps = () => ({ db: w.db, clock: w.clock, publicUrl: 'https://tocsin.example.com' });
  it('/tocsin answers an outsider as for an incident that does not exist; its people are served', async () => {
    const secret = await declareSecret({ title: 'Wire fraud in payouts' });
    const missing = '999999';
    const bob = w.actor('bob').userId as string;
    for (const verb of ['status', 'ack', 'note', 'update', 'resolve']) {
      const hidden = await runSlashCommand(deps(), bob, `${verb} ${secret.id} text`);
      const absent = await runSlashCommand(deps(), bob, `${verb} ${missing} text`);
      expect(hidden).toEqual({
        visibility: 'ephemeral',
        text: `Not done: incident "${secret.id}" not found`,
      });
      expect(absent.text).toBe(`Not done: incident "${missing}" not found`);
    }
    const status = await runSlashCommand(deps(), w.actor('sec').userId as string, `status ${secret.id}`);
    expect(status.text).toContain('Wire fraud in payouts');
    // The Slack Acknowledge button runs as the mapped user: the same 404 for an outsider.
    await expect(acknowledgeIncidentAs(deps(), bob, secret.id)).rejects.toThrow(
      `incident "${secret.id}" not found`,
    );
    expect((await acknowledgeIncidentAs(deps(), w.actor('sec').userId as string, secret.id)).changed).toBe(
      true,
    );
  });
});

describe('confidential incidents in what Tocsin sends out', () => {
  it('a page (SMS, mail, chat, inbox) names it by its code name; the console keeps the title', async () => {
    const secret = await declareSecret({ title: 'Salary spreadsheet emailed out' });
    const esc = await pageManually({
      ctx: as('ada'),
      input: { target: 'user:sec', message: 'join the bridge', incident: secret.id },
    });
    const sent = await w.db
      .selectFrom('outbox')
      .select(['payload'])
      .where('escalation_id', '=', esc.id)
      .execute();
    expect(sent.length).toBeGreaterThan(0);
    for (const { payload } of sent) {
      const text = JSON.stringify(payload);
      expect(text).toContain(`op-${secret.id}`);
      expect(text).not.toContain('Salary spreadsheet');
    }
    const detail = await getIncident({ ctx: as('sec'), input: { incidentId: secret.id } });
    expect(detail.incident.title).toBe('Salary spreadsheet emailed out');
  });

  it('{title} and {slug} in plan texts render the code name of a confidential incident only', async () => {
    const secret = await declareSecret({ title: 'Badge photos scraped' });
    const open = await declarePublic('Login errors');
    const { plan } = await loadPlanVersion(w.db, secret.plan_name, secret.plan_version);
    const text = (i: typeof secret) => render('{title} / {slug}', incidentVars(snapshotOf(i), plan));
    expect(text(secret)).toBe(`op-${secret.id} / op-${secret.id}`);
    expect(text(open)).toBe('Login errors / login-errors');
  });
});

describe('confidential incidents in the incident chat channel', () => {
  it('the declaration card and its subject give the code name, never the title', async () => {
    const secret = await declareSecret({ title: 'Source code exfiltrated' });
    const { plan } = await loadPlanVersion(w.db, secret.plan_name, secret.plan_version);
    const slack = { ...plan, channel: { ...plan.channel, platform: 'slack' } } as typeof plan;
    await postEventToIncidentChannel(
      { tx: w.db, now: w.clock.now(), url: (id) => `https://tocsin.example.com/incidents/${id}` },
      slack,
      snapshotOf(secret),
      { id: '0', kind: 'incident.declared', data: {}, actor_id: null, actor_name: 'system' },
    );
    const posts = await w.db
      .selectFrom('outbox')
      .select(['payload'])
      .where('incident_id', '=', secret.id)
      .where('channel', '=', 'chat')
      .execute();
    const card = posts.map((p) => JSON.stringify(p.payload)).find((p) => p.includes('incident.card'));
    expect(card).toContain(`op-${secret.id}`);
    expect(JSON.stringify(posts)).not.toContain('Source code exfiltrated');
  });
});

describe('confidential incidents linked to or merged with others', () => {
  it('an outsider cannot link or merge into one; related lists and timelines name it only by code name', async () => {
    const secret = await declareSecret({ title: 'Signing keys leaked' });
    const open = await declarePublic('Login errors');
    await expect(
      linkIncidents({ ctx: as('bob'), input: { incidentId: open.id, otherId: secret.id } }),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(
      mergeIncident({ ctx: as('bob'), input: { incidentId: open.id, into: secret.id } }),
    ).rejects.toBeInstanceOf(NotFound);
    // An admin links them: the outsider sees the public incident, but not the secret one among its
    // related incidents, and its timeline names the secret one by code name.
    await linkIncidents({ ctx: as('ada'), input: { incidentId: open.id, otherId: secret.id } });
    const bobs = await getIncident({ ctx: as('bob'), input: { incidentId: open.id } });
    expect(bobs.related).toEqual([]);
    expect(JSON.stringify(bobs.timeline)).not.toContain('Signing keys leaked');
    expect(JSON.stringify(bobs.timeline)).toContain(`op-${secret.id}`);
    const adas = await getIncident({ ctx: as('ada'), input: { incidentId: open.id } });
    expect(adas.related.map((r) => r.id)).toEqual([secret.id]);
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { addHypothesis } from '../incidents/add-hypothesis.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { publishUpdate } from '../incidents/publish-update.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { updateHypothesis } from '../incidents/update-hypothesis.ts';
import { savePlan } from '../plans/save-plan.ts';

// Issue 15 item 2: a post-mortem is drafted when an incident whose severity requires one resolves,
// due as the plan says; its sections are edited, reviewed and published, with every change audited.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: shop }
severities:
  - id: SEV1
    title: Critical
    targets: { acknowledge: 5m, firstUpdate: 15m, resolve: 1h }
    postmortem: { required: true, due: 48h, remindAfter: 24h }
  - id: SEV2
    title: Minor
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: resolved }]
postmortem:
  sections: [Root cause, Lessons learned]
`;

const MIN = 60_000;
let t: TestApp;
let id: string;
let resolvedAt: Date;

beforeAll(async () => {
  t = await testApp();
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  const detected = new Date(t.clock.now().getTime() - 3 * MIN);
  const incident = await declareIncident({
    ctx,
    input: {
      title: 'Checkout | payments down',
      severity: 'SEV1',
      impact: 'No orders for 40 minutes',
      detected_at: detected.toISOString(),
    },
  });
  id = incident.id;
  t.clock.advance(4 * MIN);
  await acknowledgeIncident({ ctx, input: { incidentId: id } });
  const h1 = await addHypothesis({ ctx, input: { incidentId: id, statement: 'A bad deploy' } });
  await addHypothesis({ ctx, input: { incidentId: id, statement: 'Database failover' } });
  t.clock.advance(16 * MIN);
  await publishUpdate({
    ctx,
    input: { incidentId: id, audience: 'internal', bodies: { en: 'Rolling back' } },
  });
  await updateHypothesis({
    ctx,
    input: { incidentId: id, hypothesisId: h1.id, status: 'confirmed', result: 'rollback fixed it' },
  });
  t.clock.advance(20 * MIN);
  await resolveIncident({ ctx, input: { incidentId: id, resolution: 'Rolled back 1.4.2' } });
  resolvedAt = t.clock.now();
});
afterAll(() => t.close());

const api = async (method: 'GET' | 'PATCH' | 'POST', url: string, body?: unknown, token = t.adminToken) =>
  t.app.inject({
    method,
    url,
    headers: auth(token),
    ...(body === undefined ? {} : { payload: body as object }),
  });

const auditOf = () =>
  t.db
    .selectFrom('audit_log')
    .select(['action', 'before', 'after', 'actor_name'])
    .where('entity_type', '=', 'postmortem')
    .orderBy('id')
    .execute();

describe('post-mortem drafted on resolution', () => {
  it('is created with the due date of the severity, its facts drafted, the rest empty', async () => {
    const res = await api('GET', `/api/v1/postmortems/${id}`);
    expect(res.statusCode).toBe(200);
    const pm = res.json().postmortem;
    expect(pm).toMatchObject({
      incident_id: id,
      status: 'draft',
      overdue: false,
      title: 'Post-mortem: Checkout | payments down',
      due_at: new Date(resolvedAt.getTime() + 48 * 60 * MIN).toISOString(),
    });
    const byId = Object.fromEntries(pm.sections.map((s: { id: string; body: string }) => [s.id, s.body]));
    expect(pm.sections.map((s: { id: string }) => s.id)).toEqual([
      'summary',
      'impact',
      'response',
      'timeline',
      'alerts',
      'pages',
      'updates',
      'hypotheses',
      'contributing-factors',
      'five-whys',
      'went-well',
      'went-badly',
      'lessons',
      'root-cause',
    ]);
    expect(byId.summary).toContain('Resolution: Rolled back 1.4.2');
    expect(byId.impact).toContain('No orders for 40 minutes');
    // Detected 3 min before declaration; acknowledged 4 min after it (target 5m: met); first update
    // at 20 min (target 15m: breached); resolved at 40 min (target 1h: met).
    expect(byId.impact).toContain('Duration: 43m (detection to resolution).');
    expect(byId.response).toContain('| Acknowledged | 2026-03-02 10:04:00 UTC | 7m | 5m | met |');
    expect(byId.response).toContain('| First update | 2026-03-02 10:20:00 UTC | 23m | 15m | breached |');
    expect(byId.response).toContain('| Resolved | 2026-03-02 10:40:00 UTC | 43m | 1h | met |');
    expect(byId.timeline).toContain('acknowledged');
    expect(byId.timeline).toContain('resolved: Rolled back 1.4.2');
    expect(byId.updates).toContain('internal (investigating): Rolling back');
    expect(byId.hypotheses).toContain('**confirmed**: A bad deploy — rollback fixed it');
    expect(byId.hypotheses).toContain('**proposed**: Database failover');
    expect(byId.hypotheses).toContain('Confirmed: A bad deploy.');
    expect(byId.alerts).toBe('_No alerts._');
    expect(byId['contributing-factors']).toBe('');
    expect((await auditOf()).map((a) => a.action)).toEqual(['postmortem.created']);
  });

  it('is not created when the severity does not require one', async () => {
    const ctx = t.ctx();
    const minor = await declareIncident({ ctx, input: { title: 'Slow search', severity: 'SEV2' } });
    await resolveIncident({ ctx, input: { incidentId: minor.id } });
    const res = await api('GET', `/api/v1/postmortems/${minor.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('a reopened and resolved-again incident keeps its document, due from the new resolution', async () => {
    const ctx = t.ctx();
    const other = await declareIncident({ ctx, input: { title: 'Queue stuck', severity: 'SEV1' } });
    await resolveIncident({ ctx, input: { incidentId: other.id } });
    await api('PATCH', `/api/v1/postmortems/${other.id}`, { sections: { lessons: 'kept' } });
    t.clock.advance(10 * MIN);
    await transitionIncident({ ctx, input: { incidentId: other.id, to: 'investigating' } });
    t.clock.advance(5 * MIN);
    await resolveIncident({ ctx, input: { incidentId: other.id } });
    const pm = (await api('GET', `/api/v1/postmortems/${other.id}`)).json().postmortem;
    expect(pm.due_at).toBe(new Date(t.clock.now().getTime() + 48 * 60 * MIN).toISOString());
    expect(pm.sections.find((s: { id: string }) => s.id === 'lessons').body).toBe('kept');
  });
});

describe('editing, review and publishing', () => {
  it('replaces the named sections, audited with the old and new text', async () => {
    const res = await api('PATCH', `/api/v1/postmortems/${id}`, {
      sections: { 'five-whys': '1. The deploy skipped canary', 'went-well': 'Fast rollback' },
    });
    expect(res.statusCode).toBe(200);
    const sections = res.json().postmortem.sections as { id: string; body: string }[];
    expect(sections.find((s) => s.id === 'five-whys')?.body).toBe('1. The deploy skipped canary');
    expect(sections.find((s) => s.id === 'summary')?.body).toContain('Checkout');
    const edited = (await auditOf()).filter((a) => a.action === 'postmortem.edited');
    expect(edited.at(-1)).toMatchObject({
      before: {
        sections: [
          { id: 'five-whys', body: '1. Why?\n2. Why?\n3. Why?\n4. Why?\n5. Why?\n' },
          { id: 'went-well', body: '' },
        ],
      },
      after: {
        sections: [
          { id: 'five-whys', body: '1. The deploy skipped canary' },
          { id: 'went-well', body: 'Fast rollback' },
        ],
      },
    });
  });

  it('refuses unknown sections, empty edits, viewers and bad ids', async () => {
    const unknown = await api('PATCH', `/api/v1/postmortems/${id}`, { sections: { nope: 'x' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('sections.nope');
    const empty = await api('PATCH', `/api/v1/postmortems/${id}`, {});
    expect(empty.statusCode).toBe(400);
    const viewer = await t.tokenFor('viewer');
    const refused = await api('PATCH', `/api/v1/postmortems/${id}`, { sections: { lessons: 'x' } }, viewer);
    expect(refused.statusCode).toBe(403);
    expect((await api('GET', '/api/v1/postmortems/abc')).statusCode).toBe(400);
  });

  it('goes draft → in review → published; publishing takes a manager; published is final', async () => {
    const early = await api('POST', `/api/v1/postmortems/${id}/status`, { to: 'published' });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('allowed: in_review');
    const responder = await t.tokenFor('responder');
    expect(
      (await api('POST', `/api/v1/postmortems/${id}/status`, { to: 'in_review' }, responder)).statusCode,
    ).toBe(200);
    const notManager = await api('POST', `/api/v1/postmortems/${id}/status`, { to: 'published' }, responder);
    expect(notManager.statusCode).toBe(403);
    const published = await api('POST', `/api/v1/postmortems/${id}/status`, { to: 'published' });
    expect(published.json().postmortem).toMatchObject({
      status: 'published',
      published_by: 'admin',
      published_at: t.clock.now().toISOString(),
    });
    const edit = await api('PATCH', `/api/v1/postmortems/${id}`, { sections: { lessons: 'late' } });
    expect(edit.statusCode).toBe(409);
    const actions = (await auditOf()).filter(
      (a) => a.action.startsWith('postmortem.') && a.action !== 'postmortem.edited',
    );
    expect(actions.slice(-2).map((a) => a.action)).toEqual(['postmortem.in_review', 'postmortem.published']);
  });

  it('flags unpublished post-mortems past their due date as overdue', async () => {
    const ctx = t.ctx();
    const late = await declareIncident({ ctx, input: { title: 'Late one', severity: 'SEV1' } });
    await resolveIncident({ ctx, input: { incidentId: late.id } });
    const overdueIds = async () =>
      (
        (await api('GET', '/api/v1/postmortems?overdue=true')).json().postmortems as { incident_id: string }[]
      ).map((p) => p.incident_id);
    expect(await overdueIds()).toEqual([]);
    t.clock.advance(48 * 60 * MIN + 1000);
    expect(await overdueIds()).toContain(late.id);
    // The published one is never overdue.
    expect(await overdueIds()).not.toContain(id);
    expect((await api('GET', `/api/v1/postmortems/${late.id}`)).json().postmortem.overdue).toBe(true);
  });

  it('exports as Markdown', async () => {
    const res = await api('GET', `/api/v1/postmortems/${id}/markdown`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.body).toMatch(/^# Post-mortem: Checkout \| payments down\n\nStatus: published\n/);
    expect(res.body).toContain('## 5 whys\n\n1. The deploy skipped canary\n');
    expect(res.body).toContain('## Contributing factors\n\n_To be written._\n');
  });
});

describe('the CLI', () => {
  let inc: string;
  let tocsin: Awaited<ReturnType<typeof cliAgainst>>;
  beforeAll(async () => {
    const ctx = t.ctx();
    inc = (await declareIncident({ ctx, input: { title: 'CLI one', severity: 'SEV1' } })).id;
    await resolveIncident({ ctx, input: { incidentId: inc } });
    tocsin = await cliAgainst(t);
  });

  it('edits a section from a file and shows it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-'));
    await writeFile(join(dir, 'whys.md'), '1. Because the queue filled\n');
    const edit = await tocsin('postmortem', 'edit', inc, '--section', `five-whys=@${join(dir, 'whys.md')}`);
    expect(edit.stderr).toBe('');
    expect(edit.stdout).toContain('saved (five-whys)');
    const show = await tocsin('postmortem', 'show', inc, '--section', 'five-whys');
    expect(show.stdout).toBe('1. Because the queue filled\n\n');
    const bad = await tocsin('postmortem', 'edit', inc, '--section', 'nope=x');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('sections.nope');
  });

  it('sends for review and exports the Markdown the API exports', async () => {
    expect((await tocsin('postmortem', 'review', inc)).stdout).toContain('in review');
    const exported = await tocsin('postmortem', 'export', inc);
    const viaApi = await api('GET', `/api/v1/postmortems/${inc}/markdown`);
    expect(exported.stdout).toBe(viaApi.body);
    expect(exported.stdout).toContain('Status: in review');
    const summary = await tocsin('postmortem', 'show', inc);
    expect(summary.stdout).toContain('Post-mortem: CLI one');
    expect(summary.stdout).toContain('five-whys');
  });

  it('exports a PDF (API and CLI) whose text reads back: the title, every section title, Amharic', async () => {
    const amharic = 'የክፍያ አገልግሎት ለ40 ደቂቃ ተቋርጦ ነበር';
    const edit = await api('PATCH', `/api/v1/postmortems/${inc}`, {
      sections: { lessons: `Customers saw: **${amharic}**\n\n- Alert on queue depth` },
    });
    expect(edit.statusCode).toBe(200);
    const res = await api('GET', `/api/v1/postmortems/${inc}/export?format=pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="postmortem-${inc}.pdf"`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(res.rawPayload);
    expect(text).toContain('Post-mortem: CLI one');
    const sections = edit.json().postmortem.sections as { title: string }[];
    for (const s of sections) expect(text).toContain(s.title);
    expect(text).toContain(amharic);
    expect(text).toContain('Alert on queue depth');

    const dir = await mkdtemp(join(tmpdir(), 'pm-pdf-'));
    const file = join(dir, 'pm.pdf');
    const cli = await tocsin('postmortem', 'export', inc, '--format', 'pdf', '-o', file);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain(`wrote ${file}`);
    expect(await pdfText(await readFile(file))).toContain(amharic);
    const bad = await tocsin('postmortem', 'export', inc, '--format', 'docx');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('markdown or pdf');
    expect(
      (await api('GET', `/api/v1/postmortems/${inc}/export?format=docx`)).json().error.details[0].path,
    ).toBe('querystring.format');
    expect((await api('GET', '/api/v1/postmortems/999999/export?format=pdf')).statusCode).toBe(404);
  });
});

/** The text of a PDF as a reader extracts it (pdf.js underneath): what a user could search or copy. */
async function pdfText(data: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(data) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

// Google SRE's post-mortem triggers: a long resolution, data loss, … whatever the severity.
describe('postmortem.requiredWhen', () => {
  const TRIGGERS = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: triggers }
severities: [{ id: SEV3, title: Low }]
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
postmortem:
  requiredWhen: { lastedOver: 2h, fields: [data_loss, monitoring_failed], due: 5d }
`;
  beforeAll(async () => {
    await savePlan({ ctx: t.ctx(), input: { source: TRIGGERS } });
  });
  const resolved = async (title: string, fields: Record<string, string | boolean>, lasted: number) => {
    const ctx = t.ctx();
    const inc = await declareIncident({
      ctx,
      input: { title, plan: 'triggers', severity: 'SEV3', fields },
    });
    t.clock.advance(lasted);
    await resolveIncident({ ctx, input: { incidentId: inc.id } });
    return api('GET', `/api/v1/postmortems/${inc.id}`);
  };

  it('drafts a post-mortem when the incident lasted too long or a trigger field is set, and not otherwise', async () => {
    expect((await resolved('Short blip', {}, 30 * MIN)).statusCode).toBe(404);
    expect((await resolved('Cleared flag', { data_loss: false }, 30 * MIN)).statusCode).toBe(404);
    const long = await resolved('Slow burn', {}, 3 * 60 * MIN);
    expect(long.statusCode).toBe(200);
    expect(long.json().postmortem.due_at).toBe(
      new Date(t.clock.now().getTime() + 5 * 24 * 60 * MIN).toISOString(),
    );
    expect((await resolved('Lost rows', { data_loss: 'orders 10:02-10:05' }, 10 * MIN)).statusCode).toBe(200);
  });

  it('refuses a trigger that is not a duration, with its place in the file', async () => {
    const bad = TRIGGERS.replace('name: triggers', 'name: triggers2').replace(
      'lastedOver: 2h',
      'lastedOver: long',
    );
    await expect(savePlan({ ctx: t.ctx(), input: { source: bad } })).rejects.toMatchObject({
      details: [{ path: 'plan:9:31', message: expect.stringContaining('requiredWhen.lastedOver') }],
    });
  });
});

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type ConsoleRig, signInWithToken, startSignedIn } from './harness.ts';

// The console controls added last to issue 12, in Chromium against a real Tocsin: reactivating a
// user and a team; an incident's type (the plan's types), raising its urgency, linking, unlinking
// and merging incidents; approving a gated action from the incident page. Viewers see none of the
// controls and the API refuses them anyway; axe finds nothing, light and dark, desktop and phone.
// Each step waits for what the page shows; nothing depends on timing.

let rig: ConsoleRig;
let page: Page;
let viewerToken: string;

beforeAll(async () => {
  ({ rig, page } = await startSignedIn());
  await rig.api('POST', '/api/v1/users', { handle: 'vic', name: 'Vic Viewer', role: 'viewer' });
  const made = await rig.api('POST', '/api/v1/tokens', { name: 'browser', user: 'vic' });
  viewerToken = (made.json.token as { token: string }).token;
}, 240_000);
afterAll(async () => {
  await rig?.stop();
});

async function declare(body: Record<string, unknown>): Promise<string> {
  const made = await rig.api('POST', '/api/v1/incidents', body);
  expect(made.status, JSON.stringify(made.json)).toBe(201);
  return (made.json.incident as { id: string }).id;
}

async function incident(id: string): Promise<Record<string, unknown>> {
  return (await rig.api('GET', `/api/v1/incidents/${id}`)).json.incident as Record<string, unknown>;
}

async function viewerPage(path: string): Promise<{ context: BrowserContext; p: Page }> {
  const context = await rig.context();
  const p = await context.newPage();
  await signInWithToken(p, viewerToken, path);
  return { context, p };
}

describe('web console: reactivation, incident type, urgency, links, merges and approvals', () => {
  it('lets admins reactivate a user and managers a team; a viewer sees no button, the API refuses', async () => {
    await rig.api('POST', '/api/v1/users', { handle: 'rosa', name: 'Rosa Returner' });
    expect((await rig.api('POST', '/api/v1/users/rosa/deactivate', {})).status).toBe(200);
    await rig.api('POST', '/api/v1/teams', { name: 'revived-team', description: 'Back again' });
    expect((await rig.api('POST', '/api/v1/teams/revived-team/deactivate', {})).status).toBe(200);

    await page.goto('/settings/users');
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('button', { name: 'Reactivate Rosa Returner' }).click();
    await users.getByRole('button', { name: 'Edit Rosa Returner' }).waitFor();
    expect(
      ((await rig.api('GET', '/api/v1/users/rosa')).json.user as { deactivated_at: unknown }).deactivated_at,
    ).toBeNull();
    expect(await axeViolations(page)).toEqual([]);

    await page.goto('/settings/teams');
    const section = page.getByRole('region', { name: 'Deactivated teams' });
    await section.getByRole('button', { name: 'Reactivate revived-team' }).click();
    await page.getByRole('heading', { name: 'revived-team', level: 2 }).waitFor();
    const teams = (await rig.api('GET', '/api/v1/teams')).json.teams as { name: string }[];
    expect(teams.map((t) => t.name)).toContain('revived-team');
    expect(await axeViolations(page)).toEqual([]);

    // A viewer: no reactivate (nor deactivate) buttons, and the API says no.
    await rig.api('POST', '/api/v1/teams/revived-team/deactivate', {});
    const { context, p } = await viewerPage('/settings/users');
    await p.getByRole('table', { name: 'Users' }).getByRole('cell', { name: 'rosa', exact: true }).waitFor();
    await expect(p.getByRole('button', { name: /Reactivate|Deactivate/ }).count()).resolves.toBe(0);
    await p.goto('/settings/teams');
    await p.getByRole('heading', { name: 'Teams', level: 1 }).or(p.locator('main h1')).first().waitFor();
    await expect(p.getByRole('button', { name: /Reactivate/ }).count()).resolves.toBe(0);
    const refused = await rig.api('POST', '/api/v1/teams/revived-team/reactivate', {}, viewerToken);
    expect(refused.status).toBe(403);
    expect((await rig.api('POST', '/api/v1/users/rosa/reactivate', {}, viewerToken)).status).toBe(403);
    await context.close();
  }, 240_000);

  it("changes an incident's type among the plan's types and raises its urgency", async () => {
    const id = await declare({
      title: 'Suspicious binary on a laptop',
      plan: 'nist-800-61',
      severity: 'medium',
      urgency: 'low',
    });
    await page.goto(`/incidents/${id}`);
    await page.getByTestId('incident-urgency').waitFor();
    await page.getByRole('button', { name: 'Raise urgency to high' }).click();
    await page.getByTestId('incident-urgency').waitFor({ state: 'detached' });
    expect((await incident(id)).urgency).toBe('high');

    const form = page.getByRole('form', { name: 'Change type' });
    await form.getByLabel('Type', { exact: true }).selectOption('malware');
    await form.getByLabel('Reason for the type').fill('A Trojan, not a breach');
    await form.getByRole('button', { name: 'Change type' }).click();
    await expect
      .poll(() => page.getByTestId('incident-type').textContent(), { timeout: 60_000 })
      .toBe('malware');
    expect((await incident(id)).type).toBe('malware');
    expect(await axeViolations(page)).toEqual([]);
  }, 240_000);

  it('links and unlinks another incident, then merges this one into a third', async () => {
    const a = await declare({ title: 'Checkout errors', plan: 'minimal', severity: 'SEV2' });
    const b = await declare({ title: 'Payment gateway slow', plan: 'minimal', severity: 'SEV2' });
    const c = await declare({ title: 'Checkout outage', plan: 'minimal', severity: 'SEV1' });
    await page.goto(`/incidents/${a}`);
    await page.getByText('Link or merge with another incident').click();
    const link = page.getByRole('form', { name: 'Link an incident' });
    await link.getByLabel('Incident to link').locator(`option[value="${b}"]`).waitFor({ state: 'attached' });
    await link.getByLabel('Incident to link').selectOption(b);
    await link.getByRole('button', { name: 'Link' }).click();
    const related = page.getByRole('region', { name: 'Related incidents' });
    await related.getByRole('link', { name: new RegExp(`#${b} Payment gateway slow`) }).waitFor();
    expect(
      ((await rig.api('GET', `/api/v1/incidents/${b}`)).json.related as { id: string }[]).map((r) => r.id),
    ).toEqual([a]);
    expect(await axeViolations(page)).toEqual([]);

    await related.getByRole('button', { name: `Unlink #${b}` }).click();
    await related.waitFor({ state: 'detached' });
    expect((await rig.api('GET', `/api/v1/incidents/${a}`)).json.related).toEqual([]);

    const merge = page.getByRole('form', { name: 'Merge into another incident' });
    const into = merge.getByLabel('Merge this incident into');
    await into.locator(`option[value="${c}"]`).waitFor({ state: 'attached' });
    await into.selectOption(c);
    await merge.getByRole('button', { name: 'Merge…' }).click();
    await merge.getByRole('status').waitFor();
    await merge.getByRole('button', { name: `Yes, merge into #${c}` }).click();
    await page.getByRole('link', { name: `#${c}`, exact: true }).waitFor();
    const merged = await incident(a);
    expect(merged.merged_into).toBe(c);
    expect(merged.resolved_at).toBeTruthy();
  }, 240_000);

  it('shows a gated action waiting for approval on the incident page; the approver approves it there', async () => {
    const me = ((await rig.api('GET', '/api/v1/me')).json.user as { handle: string }).handle;
    const id = await declare({ title: 'Login failing', plan: 'minimal', severity: 'SEV1' });
    const role = await rig.api('POST', `/api/v1/incidents/${id}/roles`, {
      role: 'incident-commander',
      user: me,
    });
    expect(role.status, JSON.stringify(role.json)).toBeLessThan(300);
    await rig.api('POST', '/api/v1/users', { handle: 'rui', name: 'Rui Responder', role: 'responder' });
    const made = await rig.api('POST', '/api/v1/tokens', { name: 'cli', user: 'rui' });
    const ruiToken = (made.json.token as { token: string }).token;
    const asked = await rig.api(
      'POST',
      `/api/v1/incidents/${id}/severity`,
      { severity: 'SEV2', reason: 'Only some logins fail' },
      ruiToken,
    );
    expect(asked.status, JSON.stringify(asked.json)).toBe(409);

    // A viewer sees the pending request, with no Approve or Reject.
    const { context, p } = await viewerPage(`/incidents/${id}`);
    const card = p.getByRole('region', { name: 'Approvals' }).getByRole('listitem').first();
    await card.getByText('pending', { exact: true }).waitFor();
    await expect(p.getByRole('button', { name: /^(Approve|Reject)$/ }).count()).resolves.toBe(0);
    await context.close();

    await page.goto(`/incidents/${id}`);
    const pending = page.getByRole('region', { name: 'Approvals' }).getByRole('listitem').first();
    await pending.getByText('pending', { exact: true }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await pending.getByRole('button', { name: 'Approve' }).click();
    await pending.getByText('approved', { exact: true }).waitFor();
    expect((await incident(id)).severity).toBe('SEV2');
  }, 240_000);

  it('shows a viewer none of the new incident controls, and the API refuses them', async () => {
    const a = await declare({
      title: 'Viewer sees',
      plan: 'nist-800-61',
      severity: 'medium',
      urgency: 'low',
    });
    const b = await declare({ title: 'Viewer other', plan: 'minimal', severity: 'SEV2' });
    expect((await rig.api('POST', `/api/v1/incidents/${a}/links`, { incident_id: b })).status).toBe(200);
    const { context, p } = await viewerPage(`/incidents/${a}`);
    await p.getByRole('heading', { name: 'Viewer sees' }).waitFor();
    await p.getByRole('region', { name: 'Related incidents' }).waitFor();
    await expect(p.getByRole('form', { name: 'Change type' }).count()).resolves.toBe(0);
    await expect(p.getByRole('button', { name: 'Raise urgency to high' }).count()).resolves.toBe(0);
    await expect(p.getByText('Link or merge with another incident').count()).resolves.toBe(0);
    await expect(p.getByRole('button', { name: /^Unlink/ }).count()).resolves.toBe(0);
    await context.close();
    const calls: [string, unknown][] = [
      [`/api/v1/incidents/${a}/type`, { type: 'malware', reason: 'viewer' }],
      [`/api/v1/incidents/${a}/urgency`, { urgency: 'high' }],
      [`/api/v1/incidents/${a}/links`, { incident_id: b }],
      [`/api/v1/incidents/${a}/merge`, { into: b }],
    ];
    for (const [path, body] of calls) {
      expect((await rig.api('POST', path, body, viewerToken)).status, path).toBe(403);
    }
    expect(
      (await rig.api('DELETE', `/api/v1/incidents/${a}/links/${b}`, undefined, viewerToken)).status,
    ).toBe(403);
    expect((await incident(a)).urgency).toBe('low');
  }, 240_000);

  it('has no WCAG 2.2 AA violations on the new controls, light and dark, desktop and phone', async () => {
    const id = await declare({ title: 'Axe check', plan: 'nist-800-61', severity: 'medium', urgency: 'low' });
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 360, height: 780 },
      ]) {
        const context = await rig.context({ colorScheme: scheme, viewport });
        const p = await context.newPage();
        await signInWithToken(p, rig.tocsin.token, `/incidents/${id}`);
        await p.getByRole('button', { name: 'Raise urgency to high' }).waitFor();
        await p.getByText('Link or merge with another incident').click();
        await p.getByRole('form', { name: 'Merge into another incident' }).waitFor();
        for (const v of await axeViolations(p)) problems.push(`incident ${scheme} ${viewport.width}: ${v}`);
        await p.goto('/settings/teams');
        await p.getByRole('region', { name: 'Deactivated teams' }).waitFor();
        for (const v of await axeViolations(p)) problems.push(`teams ${scheme} ${viewport.width}: ${v}`);
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  }, 240_000);
});

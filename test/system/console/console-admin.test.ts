import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type ConsoleRig, startSignedIn } from './harness.ts';

// The last console screens of issue 12 in Chromium against a real Tocsin: escalation policies drawn
// as their steps, the calendar link of my shifts (copy, subscribe, the feed answers), a plan's
// effective rules as the API states them, the diff between two plan versions, admins adding and
// editing users and teams, admins signing out someone else's session, and admins deactivating users
// and teams after a confirmation. Each waits for what the page shows; nothing depends on timing.

let rig: ConsoleRig;
let page: Page;
const PASSWORD = 'correct horse battery staple';

interface Policy {
  name: string;
  steps: { users: string[]; schedules: string[]; teams: string[]; escalateAfter: string }[];
}

beforeAll(async () => {
  ({ rig, page } = await startSignedIn());
});
afterAll(async () => {
  await rig?.stop();
});

async function myHandle(): Promise<string> {
  return ((await rig.api('GET', '/api/v1/me')).json.user as { handle: string }).handle;
}

describe('web console: policies, calendar feed, plan rules and diff, people and sessions', () => {
  it('draws each escalation policy as its steps, in order, with the wait before the next', async () => {
    const policies = (await rig.api('GET', '/api/v1/escalation-policies')).json.policies as Policy[];
    const policy = policies.find((p) => p.steps.length > 1);
    expect(policy, 'an example policy with several steps').toBeDefined();
    if (!policy) return;
    await page.goto('/oncall');
    const card = page.locator('.card', { has: page.getByRole('heading', { name: policy.name, level: 3 }) });
    const steps = card.locator('ol.steps > li');
    await steps.first().waitFor();
    await expect(steps.count()).resolves.toBe(policy.steps.length);
    for (const [i, step] of policy.steps.entries()) {
      const text = (await steps.nth(i).textContent()) ?? '';
      const who = step.schedules[0]
        ? `on call in ${step.schedules[0]}`
        : (step.users[0] ?? `team ${step.teams[0]}`);
      expect(text, `step ${i + 1}`).toContain(who);
      expect(text, `step ${i + 1}`).toContain(`then after ${step.escalateAfter}`);
    }
    expect(await axeViolations(page)).toEqual([]);
  });

  it('gives a calendar link of my shifts to copy or subscribe to, and the feed answers iCal', async () => {
    const handle = await myHandle();
    await page.goto('/oncall');
    await page.getByRole('button', { name: 'Get a calendar link' }).click();
    await page.getByRole('button', { name: 'Copy Calendar link' }).click();
    await page.getByRole('button', { name: 'Copied Calendar link' }).waitFor();
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    const link = new URL(copied);
    expect(link.pathname).toBe(`/api/v1/users/${handle}/oncall.ical`);
    expect(link.searchParams.get('token')).toBeTruthy();
    const subscribe = page.getByRole('link', { name: 'Subscribe in my calendar app' });
    await expect(subscribe.getAttribute('href')).resolves.toBe(copied.replace(/^https?:/, 'webcal:'));
    // The feed answers on this server (the link names TOCSIN_PUBLIC_URL, not this test's port).
    const feed = await fetch(`${rig.url}${link.pathname}${link.search}`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    expect(await feed.text()).toMatch(/^BEGIN:VCALENDAR/);
    // Without the token it is refused.
    expect((await fetch(`${rig.url}${link.pathname}`)).status).toBe(401);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("shows a plan's effective rules as GET /plans/:name/rules states them", async () => {
    const rules = (await rig.api('GET', '/api/v1/plans/minimal/rules')).json.rules as { name: string }[];
    expect(rules.length).toBeGreaterThan(0);
    await page.goto('/plans/minimal');
    const list = page.getByRole('list', { name: 'Effective rules' });
    await list.getByText(rules[0]?.name ?? '', { exact: true }).waitFor();
    await expect(list.locator(':scope > li').count()).resolves.toBe(rules.length);
    for (const rule of rules) await list.getByText(rule.name, { exact: true }).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('diffs two versions of a plan, line by line', async () => {
    const current = (await rig.api('GET', '/api/v1/plans/minimal')).json as { source: string };
    const before = 'description: A starting point for a small team';
    expect(current.source).toContain(before);
    const after = 'description: A starting point for a small team, edited in the console test';
    const put = await fetch(`${rig.url}/api/v1/plans/minimal`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${rig.tocsin.token}`, 'content-type': 'application/yaml' },
      body: current.source.replace(before, after),
    });
    expect(put.status, await put.text()).toBeLessThan(300);
    await page.goto('/plans/minimal');
    const diff = page.locator('pre.diff');
    await diff.locator('.add', { hasText: after }).waitFor();
    await diff.locator('.del', { hasText: before }).waitFor();
    await expect(diff.locator('.add').count()).resolves.toBe(1);
    await expect(diff.locator('.del').count()).resolves.toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('lets admins add and edit users and teams; a bad user name is refused beside the field', async () => {
    await page.goto('/settings/users');
    const add = page.getByRole('form', { name: 'Add a user' });
    await add.getByLabel('User name').fill('Not A Handle');
    await add.getByLabel('Name', { exact: true }).fill('Selam Tesfaye');
    await add.getByRole('button', { name: 'Add user' }).click();
    // Refused by the API's own schema in the browser: the message sits beside the field.
    await add.getByRole('alert').first().waitFor();
    await expect(add.getByLabel('User name').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(add.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Selam Tesfaye');
    expect((await rig.api('GET', '/api/v1/users/not-a-handle')).status).toBe(404);

    await add.getByLabel('User name').fill('selam');
    await add.getByLabel('Email (optional)').fill('selam@example.org');
    await add.getByLabel('Role').selectOption('manager');
    await add.getByRole('button', { name: 'Add user' }).click();
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('cell', { name: 'selam', exact: true }).waitFor();
    expect(((await rig.api('GET', '/api/v1/users/selam')).json.user as { role: string }).role).toBe(
      'manager',
    );

    await users.getByRole('button', { name: 'Edit Selam Tesfaye' }).click();
    const edit = page.getByRole('form', { name: 'Edit selam' });
    await edit.getByLabel('Role').selectOption('responder');
    await edit.getByLabel('Time zone').fill('Africa/Addis_Ababa');
    await edit.getByRole('button', { name: 'Save selam' }).click();
    await edit.waitFor({ state: 'detached' });
    const saved = (await rig.api('GET', '/api/v1/users/selam')).json.user as {
      role: string;
      time_zone: string;
    };
    expect(saved).toMatchObject({ role: 'responder', time_zone: 'Africa/Addis_Ababa' });
    expect(await axeViolations(page)).toEqual([]);

    await page.goto('/settings/teams');
    const team = page.getByRole('form', { name: 'Add a team' });
    await team.getByLabel('Team name').fill('console-team');
    await team.getByLabel('Description').fill('Made in the browser');
    await team.getByRole('button', { name: 'Add team' }).click();
    const member = page.getByRole('form', { name: 'Add a member to console-team' });
    await member.getByLabel('Member').selectOption('selam');
    await member.getByLabel('Role in the team').fill('lead');
    await member.getByRole('button', { name: 'Add or change member' }).click();
    await page.getByRole('button', { name: 'Remove selam from console-team' }).waitFor();
    const made = (await rig.api('GET', '/api/v1/teams/console-team')).json.team as {
      members: { user: string; role: string }[];
    };
    expect(made.members).toEqual([expect.objectContaining({ user: 'selam', role: 'lead' })]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("lets admins see and sign out another user's session; that browser is signed out at once", async () => {
    const set = await rig.api('PUT', '/api/v1/users/selam/password', { password: PASSWORD });
    expect(set.status, JSON.stringify(set.json)).toBeLessThan(300);
    const theirs = await rig.browser.newContext({ baseURL: rig.url, userAgent: 'Selam lost laptop' });
    try {
      const login = await theirs.request.post('/api/v1/auth/login', {
        data: { login: 'selam', password: PASSWORD },
      });
      expect(login.status()).toBe(200);
      expect((await theirs.request.get('/api/v1/auth/session')).status()).toBe(200);

      await page.goto('/settings/sessions');
      await page.getByLabel('Whose sessions').selectOption('selam');
      const table = page.getByRole('table', { name: 'Signed-in sessions' });
      const row = table.getByRole('row', { name: /Selam lost laptop/ });
      await row.waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await row.getByRole('button', { name: /Sign out/ }).click();
      await row.waitFor({ state: 'detached' });
      expect((await theirs.request.get('/api/v1/auth/session')).status()).toBe(401);
      // The admin's own session list is untouched by the picker.
      await page.getByLabel('Whose sessions').selectOption('');
      await expect(page.getByLabel('Whose sessions').inputValue()).resolves.toBe('');
    } finally {
      await theirs.close();
    }
  });

  it('lets admins deactivate a user and a team, each only after confirming; Keep changes nothing', async () => {
    const made = await rig.api('POST', '/api/v1/users', { handle: 'leaver', name: 'Lemlem Leaver' });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    const team = await rig.api('POST', '/api/v1/teams', { name: 'retired-team', description: 'Going away' });
    expect(team.status, JSON.stringify(team.json)).toBe(201);
    const deactivatedAt = async () =>
      ((await rig.api('GET', '/api/v1/users/leaver')).json.user as { deactivated_at: string | null })
        .deactivated_at;

    await page.goto('/settings/users');
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('button', { name: 'Deactivate Lemlem Leaver' }).click();
    const ask = page.getByRole('group', { name: 'Deactivate Lemlem Leaver?' });
    await ask.getByRole('button', { name: 'Keep Lemlem Leaver' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await deactivatedAt()).toBeNull();

    await users.getByRole('button', { name: 'Deactivate Lemlem Leaver' }).click();
    await ask.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await ask.getByRole('button', { name: 'Yes, deactivate Lemlem Leaver' }).click();
    await users
      .getByRole('row', { name: /Lemlem Leaver/ })
      .getByText('deactivated')
      .waitFor();
    expect(await deactivatedAt()).toBeTruthy();

    await page.goto('/settings/teams');
    const heading = page.getByRole('heading', { name: 'retired-team', level: 2 });
    await page.getByRole('button', { name: 'Deactivate retired-team' }).click();
    const askTeam = page.getByRole('group', { name: 'Deactivate retired-team?' });
    await askTeam.getByRole('button', { name: 'Yes, deactivate retired-team' }).click();
    await heading.waitFor({ state: 'detached' });
    const all = (await rig.api('GET', '/api/v1/teams?all=true')).json.teams as {
      name: string;
      deactivated_at: string | null;
    }[];
    expect(all.find((t) => t.name === 'retired-team')?.deactivated_at).toBeTruthy();
    expect(await axeViolations(page)).toEqual([]);
  });
});

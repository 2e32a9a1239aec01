import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type ConsoleRig, signInWithToken, startSignedIn } from './harness.ts';

// The console screens of the issue 12 remainder in Chromium against a real Tocsin: incident filters
// by team and "mine", own sessions, editing one's name and time zone (checked before sending and by
// the API), heartbeats, running a drill, the drawn shift grid — each checked with axe in both themes.

let rig: ConsoleRig;
let page: Page;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ({ rig, page } = await startSignedIn());
});
afterAll(async () => {
  await rig?.stop();
});

async function declare(title: string, service: string): Promise<string> {
  const answer = await rig.api('POST', '/api/v1/incidents', {
    title,
    plan: 'minimal',
    severity: 'SEV2',
    service,
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  return (answer.json.incident as { id: string }).id;
}

/** A browser signed in with a password (a session cookie), as `who`. */
async function passwordBrowser(who: string, agent: string): Promise<Page> {
  const context = await rig.browser.newContext({ baseURL: rig.url, userAgent: agent });
  const p = await context.newPage();
  await p.goto('/incidents');
  await p.getByLabel('User name or email').fill(who);
  await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
  return p;
}

describe('web console, issue 12 remainder', () => {
  it('filters incidents by the team owning the service and by mine, in the address', async () => {
    const platform = await declare('Creator uploads failing', 'creator-api');
    await declare('Job board exports late', 'job-board');
    const me = await rig.api('GET', '/api/v1/me');
    const handle = (me.json.user as { handle: string }).handle;
    const assigned = await rig.api('POST', `/api/v1/incidents/${platform}/roles`, {
      role: 'incident-commander',
      user: handle,
    });
    expect(assigned.status, JSON.stringify(assigned.json)).toBe(200);

    await page.goto('/incidents?state=all');
    const list = page.getByRole('list', { name: 'Incidents' });
    await list.getByRole('link', { name: 'Job board exports late' }).waitFor();
    await page.getByLabel('Team').selectOption('sre');
    await list.getByRole('link', { name: 'Creator uploads failing' }).waitFor({ state: 'detached' });
    await expect(list.getByRole('link', { name: 'Job board exports late' }).count()).resolves.toBe(1);
    expect(new URL(page.url()).searchParams.get('team')).toBe('sre');
    await page.getByLabel('Team').selectOption('');
    // A controlled checkbox shows its new state once the address has changed and React re-rendered;
    // check() inspects it right after the click, which a busy machine can beat. Wait for the address.
    await page.waitForURL((url) => !url.searchParams.has('team'));
    await page.getByLabel('Mine').click();
    await page.waitForURL((url) => url.searchParams.get('mine') === '1');
    await list.getByRole('link', { name: 'Job board exports late' }).waitFor({ state: 'detached' });
    await expect(list.getByRole('link', { name: 'Creator uploads failing' }).count()).resolves.toBe(1);
    expect(new URL(page.url()).searchParams.get('mine')).toBe('1');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('lists my sessions and signs another browser out', async () => {
    expect((await rig.api('PUT', '/api/v1/users/selam/password', { password: PASSWORD })).status).toBe(204);
    const laptop = await passwordBrowser('selam', 'Laptop browser');
    const phone = await passwordBrowser('selam', 'Phone browser');
    await laptop.goto('/settings/sessions');
    const table = laptop.getByRole('table', { name: 'Signed-in sessions' });
    const phoneRow = table.getByRole('row').filter({ hasText: 'Phone browser' });
    await phoneRow.waitFor();
    await expect(table.getByRole('row').filter({ hasText: 'this browser' }).textContent()).resolves.toContain(
      'Laptop browser',
    );
    expect(await axeViolations(laptop)).toEqual([]);
    await phoneRow.getByRole('button', { name: /Sign out/ }).click();
    await phoneRow.waitFor({ state: 'detached' });
    // The phone's cookie no longer works: its next request lands on the sign-in page.
    await phone.reload();
    await phone.getByRole('heading', { name: 'Sign in to Tocsin' }).waitFor();
    await laptop.context().close();
    await phone.context().close();
  });

  it('edits my name and time zone, refusing a bad one before sending or from the API, beside the field', async () => {
    const p = await passwordBrowser('selam', 'Profile browser');
    await p.goto('/settings');
    const form = p.getByRole('form', { name: 'Edit my profile' });
    let patches = 0;
    p.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().endsWith('/api/v1/me')) patches++;
    });
    await form.getByLabel('Name').fill('   ');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('a name is required').waitFor();
    expect(patches).toBe(0);
    await expect(form.getByLabel('Name').getAttribute('aria-invalid')).resolves.toBe('true');
    await form.getByLabel('Name').fill('Selam T.');
    await form.getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('"Mars/Olympus_Mons" is not an IANA time zone').waitFor();
    expect(patches).toBe(1);
    await expect(form.getByLabel('Name').inputValue()).resolves.toBe('Selam T.');
    await form.getByLabel('Time zone').fill('America/Sao_Paulo');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await p.locator('dd', { hasText: 'America/Sao_Paulo' }).waitFor();
    const user = await rig.api('GET', '/api/v1/users/selam');
    expect(user.json.user).toMatchObject({ name: 'Selam T.', time_zone: 'America/Sao_Paulo' });
    expect(await axeViolations(p)).toEqual([]);
    await p.context().close();
  });

  it('lists heartbeats, runs a drill with its report, and draws the week of shifts', async () => {
    await page.goto('/services');
    const heartbeats = page.getByRole('table', { name: 'Heartbeats' });
    await heartbeats.getByRole('row').filter({ hasText: 'job-board / employer-export' }).waitFor();
    await expect(
      heartbeats.getByRole('row').filter({ hasText: 'job-board / employer-export' }).textContent(),
    ).resolves.toContain('new');

    await page.goto('/plans/minimal');
    await page.getByRole('button', { name: 'Run a drill' }).click();
    const report = page.getByRole('region', { name: 'Drill report' });
    // A drill makes and migrates a throwaway database: generous on a busy machine.
    await report.waitFor({ timeout: 180_000 });
    await expect(report.getByRole('status').textContent()).resolves.toMatch(/passed|breached/);
    await report
      .getByRole('table', { name: 'Drill targets' })
      .getByRole('row', { name: /acknowledge/ })
      .first()
      .waitFor();
    // Every acted field the plan sets is judged or listed as not checked, with the reason.
    await report.getByText(/^Not checked by a drill \(\d+ plan fields\)$/).click();
    await expect(
      report.getByRole('list', { name: 'Not checked' }).getByRole('listitem').count(),
    ).resolves.toBeGreaterThan(0);

    await page.goto('/oncall');
    const week = page.getByRole('list', { name: /^Week of / });
    await week.waitFor();
    await expect(week.locator(':scope > li').count()).resolves.toBe(7);
    await page.getByRole('button', { name: 'Month' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('list', { name: /^Four weeks of / })
          .locator(':scope > li')
          .count(),
      )
      .toBe(28);
  }, 240_000);

  it('replays the plan’s past incidents under an uploaded changed plan', async () => {
    await declare('Replayed: the job board is slow', 'job-board');
    await page.goto('/plans/minimal');
    const changed = readFileSync('examples/plans/minimal.yaml', 'utf8').replace(
      'acknowledge: 30m',
      'acknowledge: 10m',
    );
    const form = page.getByRole('form', { name: 'What-if replay' });
    await form.getByLabel('Changed plan file (YAML)').setInputFiles({
      name: 'minimal-changed.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(changed),
    });
    await form.getByRole('button', { name: 'Replay' }).click();
    const report = page.getByRole('region', { name: 'Replay report' });
    // A throwaway database and a drill per incident: generous on a busy machine.
    await report.waitFor({ timeout: 180_000 });
    await expect(report.getByRole('status').textContent()).resolves.toContain('under minimal-changed.yaml');
    await report
      .getByRole('table', { name: 'Replayed incidents' })
      .getByRole('row', { name: /Replayed: the job board is slow/ })
      .waitFor();
    await report
      .getByRole('table', { name: 'Replay totals' })
      .getByRole('row', { name: /mtta mean/ })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 300_000);

  it('has no WCAG 2.2 AA violations on the new screens, light and dark', async () => {
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const context = await rig.context({ colorScheme: scheme });
      const p = await context.newPage();
      await signInWithToken(p, rig.tocsin.token);
      for (const path of [
        '/incidents?state=all&team=sre',
        '/services',
        '/oncall',
        '/settings',
        '/settings/sessions',
      ]) {
        await p.goto(path);
        await p.locator('main h1').first().waitFor();
        await expect.poll(() => p.getByText(/^Loading/).count()).toBe(0);
        for (const v of await axeViolations(p)) problems.push(`${path} ${scheme}: ${v}`);
      }
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
});

import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support.ts';
import {
  applyExamples,
  axeViolations,
  type ConsoleRig,
  nextSpringForward,
  SCREENSHOTS,
  signInWithToken,
  startConsoleRig,
} from './harness.ts';

// The web console in Chromium against a real Tocsin: declare from the shortcut, run the incident,
// on call across a DST change, integrations, plans, a viewer's limits, accessibility of each page.

let rig: ConsoleRig;
let admin: BrowserContext;
let page: Page;
let incidentId = '';

beforeAll(async () => {
  rig = await startConsoleRig();
  await applyExamples(rig);
  admin = await rig.context();
  page = await admin.newPage();
});
afterAll(async () => {
  await rig?.stop();
});

const dst = nextSpringForward();

async function incident(id: string): Promise<Record<string, unknown>> {
  const answer = await rig.api('GET', `/api/v1/incidents/${id}`);
  return answer.json;
}

describe('web console', () => {
  it('signs in and lands on the page that was asked for', async () => {
    await signInWithToken(page, rig.tocsin.token, '/oncall');
    await page.getByRole('heading', { name: 'On call', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/oncall');
  });

  it('an invited user chooses a password from the link, signs out, and signs in with it', async () => {
    await rig.api('POST', '/api/v1/users', {
      handle: 'liya',
      name: 'Liya Haile',
      email: 'liya@example.com',
      role: 'responder',
    });
    const invited = await rig.api('POST', '/api/v1/users/liya/invite');
    expect(invited.status).toBe(201);
    const link = new URL((invited.json.invitation as { url: string }).url);
    const context = await rig.context();
    const p = await context.newPage();
    await p.goto(`${link.pathname}${link.search}`);
    await p.getByLabel('New password').fill('correct horse battery');
    await p.getByLabel('Repeat the password').fill('correct horse battery');
    await p.getByRole('button', { name: 'Set password and sign in' }).click();
    await p.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await p.getByRole('button', { name: /Sign out/ }).click();
    await p.getByRole('heading', { name: 'Sign in to Tocsin' }).waitFor();

    await p.getByLabel('User name or email').fill('liya@example.com');
    await p.getByLabel('Password', { exact: true }).fill('wrong password!');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('alert').first().waitFor();
    await expect(p.getByLabel('User name or email').inputValue()).resolves.toBe('liya@example.com');
    await p.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('navigation', { name: 'Main' }).waitFor();

    // The session ends (cookie gone): the next request sends the user to sign in, then back here.
    await p.goto('/oncall');
    await p.getByRole('heading', { name: 'On call', level: 1 }).waitFor();
    await context.clearCookies();
    // The next request answers 401 (a refetch may come first, else the click below makes one).
    const ended = p.getByText('Your session ended');
    const alerts = p.getByRole('link', { name: 'Alerts' });
    await ended.or(alerts).first().waitFor();
    // The shell may give way to the sign-in form while clicking: that is the 401 this waits for.
    if (await alerts.isVisible()) await alerts.click({ timeout: 3000 }).catch(() => {});
    await ended.waitFor();
    const asked = new URL(p.url()).pathname;
    await p.getByLabel('User name or email').fill('liya');
    await p.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(new URL(p.url()).pathname).toBe(asked);
    expect(['/oncall', '/alerts']).toContain(asked);
    await context.close();
  });

  it('declares an incident from the keyboard shortcut, with the severity criteria beside each choice', async () => {
    await page.goto('/incidents');
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.keyboard.press('d');
    const dialog = page.getByRole('dialog', { name: 'Declare an incident' });
    await dialog.waitFor();
    await dialog.getByLabel('Title').fill('Uploads fail for creators — ሰቀላ አይሰራም');
    await dialog.getByLabel('Plan').selectOption('creator-platform');
    await dialog.getByText('System-wide outage').waitFor();
    await dialog.getByRole('radio', { name: /SEV2/ }).check();
    await dialog.getByRole('button', { name: 'Declare', exact: true }).click();
    await page.waitForURL(/\/incidents\/\d+$/);
    incidentId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await page.getByRole('heading', { name: /ሰቀላ አይሰራም/ }).waitFor();
    const stored = (await incident(incidentId)).incident as { severity: string; plan_name: string };
    expect(stored).toMatchObject({ severity: 'SEV2', plan_name: 'creator-platform' });
  });

  it('a second browser sees an incident declared elsewhere appear live', async () => {
    const other = await rig.context();
    const p = await other.newPage();
    await signInWithToken(p, rig.tocsin.token, '/incidents');
    await p.locator('[data-live="live"]').waitFor();
    const declared = await rig.api('POST', '/api/v1/incidents', {
      title: 'Declared from the API while watching',
      plan: 'minimal',
      severity: 'SEV2',
    });
    expect(declared.status).toBe(201);
    await p.getByRole('link', { name: 'Declared from the API while watching' }).waitFor();
    await other.close();
  });

  it('acknowledges, assigns the incident commander and ticks a checklist item', async () => {
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await until(
      'acknowledged',
      async () =>
        ((await incident(incidentId)).incident as { acknowledged_at: string | null }).acknowledged_at,
    );
    await page.getByTestId('incident-ack').filter({ hasNotText: 'not yet' }).waitFor();

    const assign = page.getByRole('form', { name: 'Assign a role' });
    await assign.getByLabel('Role').selectOption('incident-commander');
    await assign.getByLabel('Person').selectOption('selam');
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('region', { name: 'Roles' }).getByText('Selam Tesfaye').waitFor();

    const item = page.getByRole('checkbox', { name: 'Assign an Incident Commander' });
    await item.check();
    await until('checklist item done', async () => {
      const lists = (await incident(incidentId)).checklists as {
        items: { text: string; done_at: string | null }[];
      }[];
      return lists.flatMap((l) => l.items).find((i) => i.text === 'Assign an Incident Commander')?.done_at;
    });
  });

  it('changes severity showing the criteria, then resolves', async () => {
    const form = page.getByRole('form', { name: 'Change severity' });
    await form.getByText('Data loss').waitFor();
    await form.getByRole('radio', { name: /SEV1/ }).check();
    await form.getByLabel('Reason').fill('payments affected too');
    await form.getByRole('button', { name: 'Change severity' }).click();
    await until(
      'severity changed',
      async () => ((await incident(incidentId)).incident as { severity: string }).severity === 'SEV1',
    );

    // The creator platform lets only the incident commander resolve (lifecycle.states[].by): the
    // admin takes over the role first, as the IC handing over would.
    const handover = await rig.api('POST', `/api/v1/incidents/${incidentId}/roles`, {
      role: 'incident-commander',
      user: 'admin',
    });
    expect(handover.status).toBe(200);
    const resolve = page.getByRole('form', { name: 'Resolve' });
    await resolve.getByLabel('Resolution').fill('rolled back the upload service');
    await resolve.getByRole('button', { name: 'Resolve incident' }).click();
    await until(
      'resolved',
      async () => ((await incident(incidentId)).incident as { resolved_at: string | null }).resolved_at,
    );
    await page.getByTestId('incident-state').getByText('resolved').waitFor();
  });

  it("shows a refused note's reason beside the field and keeps what was typed", async () => {
    await page.goto(`/incidents/${incidentId}`);
    // A blank note is refused by the API: its message shows beside the field, the text stays.
    const note = page.getByRole('form', { name: 'Add a note' });
    await note.getByLabel('Note').fill('   ');
    await note.getByRole('button', { name: 'Add note' }).click();
    await note.locator('.field-error, .error-note').first().waitFor();
    await expect(note.getByLabel('Note').inputValue()).resolves.toBe('   ');
  });

  it('opens an incident link directly, after signing in, in a fresh browser', async () => {
    const fresh = await rig.context();
    const p = await fresh.newPage();
    await signInWithToken(p, rig.tocsin.token, `/incidents/${incidentId}`);
    await p.getByRole('heading', { name: /ሰቀላ አይሰራም/ }).waitFor();
    expect(new URL(p.url()).pathname).toBe(`/incidents/${incidentId}`);
    await fresh.close();
  });

  it('shows who is on call on both sides of a DST change, in the viewer zone and the schedule zone', async () => {
    await page.goto('/oncall');
    await page.getByLabel('Schedule', { exact: true }).selectOption('sre');
    await page.getByLabel('From day').fill(`${dst.year}-03-${dst.sunday - 2}`);
    const table = page.getByRole('table', { name: 'Shifts of sre' });
    // Berlin switches to summer time on that Sunday: hand-offs stay at 08:00 local time.
    const before = table.getByRole('row').filter({ hasText: `Fri ${dst.sunday - 2} Mar, 08:00` });
    const after = table.getByRole('row').filter({ hasText: `Mon ${dst.sunday + 1} Mar, 08:00` });
    await before.first().waitFor();
    await after.first().waitFor();
    await expect(before.first().textContent()).resolves.toContain('hanna');
    await expect(after.first().textContent()).resolves.toContain('hanna');
  });

  it('creates an override', async () => {
    const form = page.getByRole('form', { name: 'Create an override' });
    await form.getByLabel('Who takes over').selectOption('jordan');
    await form.getByLabel('Start').fill(`${dst.year}-04-05T08:00`);
    await form.getByLabel('End').fill(`${dst.year}-04-05T18:00`);
    await form.getByRole('button', { name: 'Create override' }).click();
    await page
      .getByRole('region', { name: 'Overrides of sre' })
      .getByText(/jordan instead of everyone/)
      .waitFor();
    const overrides = await rig.api(
      'GET',
      `/api/v1/schedules/sre/overrides?from=${dst.year}-04-01T00:00:00Z&to=${dst.year}-04-10T00:00:00Z`,
    );
    expect(overrides.json.overrides).toEqual([
      expect.objectContaining({
        user: 'jordan',
        start: `${dst.year}-04-05T06:00:00.000Z`,
        end: `${dst.year}-04-05T16:00:00.000Z`,
      }),
    ]);
  });

  it("copies an integration's key and its test event creates an alert", async () => {
    await page.goto('/services/creator-api');
    const card = page.locator('[data-integration="pagerduty-clients"]');
    await card.getByRole('button', { name: 'Copy Key' }).click();
    const key = (await card.locator('code').nth(1).textContent()) ?? '';
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(key);
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card.getByText('Test event accepted.').waitFor();
    const alerts = await rig.api('GET', '/api/v1/alerts?service=creator-api&status=all');
    expect(alerts.json.alerts).toEqual([
      expect.objectContaining({ summary: expect.stringContaining('Test event') }),
    ]);
    await page
      .getByRole('list', { name: 'Recent alerts' })
      .getByText(/Test event/)
      .waitFor();
  });

  it('shows a broken plan’s errors at their lines', async () => {
    await page.goto('/plans/minimal');
    const broken =
      'apiVersion: tocsin.dev/v1\nkind: Plan\nmetadata:\n  name: minimal\nseverities:\n  - id: SEV1\n    title: Down\n    bogus: 1\n';
    await page.getByLabel('Plan text').fill(broken);
    await page.getByRole('button', { name: 'Check' }).click();
    const line8 = page.locator('.plan-source [data-line="8"]');
    await line8.getByText(/8:5 severities\.0\.bogus: unknown key/).waitFor();
  });

  it('a viewer sees no action buttons, and the API refuses the actions anyway', async () => {
    await rig.api('POST', '/api/v1/users', { handle: 'vera', name: 'Vera Viewer', role: 'viewer' });
    const made = await rig.api('POST', '/api/v1/tokens', { name: 'browser', user: 'vera' });
    const token = (made.json.token as { token: string }).token;
    const open = await rig.api('POST', '/api/v1/incidents', {
      title: 'Viewer check',
      plan: 'minimal',
      severity: 'SEV2',
    });
    const id = (open.json.incident as { id: string }).id;
    const viewer = await rig.context();
    const p = await viewer.newPage();
    await signInWithToken(p, token, `/incidents/${id}`);
    await p.getByRole('heading', { name: 'Viewer check' }).waitFor();
    await expect(p.getByRole('button', { name: 'Acknowledge' }).count()).resolves.toBe(0);
    await expect(p.getByRole('button', { name: /Declare/ }).count()).resolves.toBe(0);
    await expect(p.getByRole('form', { name: 'Resolve' }).count()).resolves.toBe(0);
    const refused = await rig.api('POST', `/api/v1/incidents/${id}/acknowledge`, {}, token);
    expect(refused.status).toBe(403);
    await viewer.close();
  });

  it('has no WCAG 2.2 AA violations on the main pages, light and dark, and saves screenshots', async () => {
    const pages: [string, string][] = [
      ['incidents', '/incidents?state=all'],
      ['incident', `/incidents/${incidentId}`],
      ['oncall', '/oncall'],
      ['alerts', '/alerts?status=all'],
      ['services', '/services/creator-api'],
      ['plans', '/plans/creator-platform'],
      ['settings', '/settings'],
    ];
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      for (const [label, viewport] of [
        ['desktop', { width: 1280, height: 900 }],
        ['phone', { width: 360, height: 780 }],
      ] as const) {
        const context = await rig.context({ colorScheme: scheme, viewport });
        const p = await context.newPage();
        await signInWithToken(p, rig.tocsin.token);
        for (const [name, path] of pages) {
          await p.goto(path);
          await p.locator('main h1').first().waitFor();
          await expect.poll(() => p.getByText(/^Loading/).count()).toBe(0);
          const overflow = await p.evaluate<boolean>(
            'document.documentElement.scrollWidth > window.innerWidth + 1',
          );
          if (overflow)
            problems.push(`${name} ${scheme} ${label}: wider than the ${viewport.width} px screen`);
          for (const v of await axeViolations(p)) problems.push(`${name} ${scheme} ${label}: ${v}`);
          await p.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}-${label}.png`), fullPage: false });
        }
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  }, 400_000);
});

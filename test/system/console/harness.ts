import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type ServerHandle, startServer } from '../../../scripts/lib/tocsin-process.ts';
import { call } from '../support.ts';

// Browser tests of the web console: a real Tocsin process (embedded store) on a loopback port and
// Debian's Chromium driven by playwright-core.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DIST = join(ROOT, 'web', 'dist');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleRig {
  tocsin: ServerHandle;
  url: string;
  browser: Browser;
  /** A fresh browser context (its own cookies and storage), in a time zone and colour scheme. */
  context(options?: {
    timezoneId?: string;
    colorScheme?: 'light' | 'dark';
    viewport?: { width: number; height: number };
  }): Promise<BrowserContext>;
  api(method: string, path: string, body?: unknown, token?: string): ReturnType<typeof call>;
  stop(): Promise<void>;
}

export async function startConsoleRig(env: Record<string, string> = {}): Promise<ConsoleRig> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web`');
  const tocsin = await startServer(env);
  // Tocsin serves the built console at / itself, the API beside it on the same origin.
  const origin = { url: tocsin.url };
  const profile = mkdtempSync(join(tmpdir(), 'tocsin-chromium-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, `--disk-cache-dir=${profile}`],
  });
  const contexts: BrowserContext[] = [];
  return {
    tocsin,
    url: origin.url,
    browser,
    async context(options = {}) {
      const context = await browser.newContext({
        baseURL: origin.url,
        timezoneId: options.timezoneId ?? 'Europe/Berlin',
        colorScheme: options.colorScheme ?? 'light',
        viewport: options.viewport ?? { width: 1280, height: 900 },
        locale: 'en-GB',
      });
      // Generous: a browser, Tocsin and PostgreSQL share a busy 2-core machine (a guard, not a measure).
      context.setDefaultTimeout(60_000);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin.url });
      contexts.push(context);
      return context;
    },
    api: (method, path, body, token) => call(tocsin, token ?? tocsin.token, method, path, body),
    async stop() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await tocsin.stop();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in with an API token (the way in that every server version has). */
export async function signInWithToken(page: Page, token: string, path = '/incidents'): Promise<void> {
  await page.goto(path);
  const field = page.getByLabel('API token', { exact: true });
  const summary = page.locator('summary', { hasText: 'Sign in with an API token' });
  await field.or(summary).first().waitFor();
  if (!(await field.isVisible())) await summary.click();
  await page.getByLabel('API token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** WCAG 2.2 A/AA violations axe-core finds on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  // A string runs in the page, where axe is defined (this file is type-checked without the DOM).
  const options = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  };
  const result = await page.evaluate<{ violations: { id: string; nodes: { target: unknown }[] }[] }>(
    `axe.run(document, ${JSON.stringify(options)})`,
  );
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/** The example plans and the demo set-up (people, teams, schedules, policies, services), applied through the API. */
export async function applyExamples(rig: ConsoleRig): Promise<void> {
  const files = ['examples/plans', 'examples/setup'].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `${dir}/${f}`),
  );
  const documents = files.map((file) => ({ file, content: readFileSync(join(ROOT, file), 'utf8') }));
  const answer = await rig.api('POST', '/api/v1/apply', { documents });
  if (answer.status !== 200) throw new Error(`apply failed: ${JSON.stringify(answer.json)}`);
}

/** A Tocsin with the examples applied and a browser page signed in as its admin (the usual start). */
export async function startSignedIn(
  prepare: (rig: ConsoleRig) => Promise<void> = async () => {},
  path = '/incidents',
): Promise<{ rig: ConsoleRig; admin: BrowserContext; page: Page }> {
  const rig = await startConsoleRig();
  await applyExamples(rig);
  await prepare(rig);
  const admin = await rig.context();
  const page = await admin.newPage();
  await signInWithToken(page, rig.tocsin.token, path);
  return { rig, admin, page };
}

export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

/** A loopback TCP proxy to Tocsin whose connections a test can cut, as a dropped network would. */
export interface CutProxy {
  url: string;
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCutProxy(target: string): Promise<CutProxy> {
  const { port: targetPort, hostname } = new URL(target);
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = connect(Number(targetPort), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      down = true;
      // A reset, not a clean close: the browser sees the connection fail at once, as on a lost network.
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The next spring-forward in Berlin (last Sunday of March), so dates in tests stay in the future. */
export function nextSpringForward(): { year: number; sunday: number } {
  const now = new Date();
  const month = now.getUTCMonth();
  const early = month < 2 || (month === 2 && now.getUTCDate() < 20);
  const year = early ? now.getUTCFullYear() : now.getUTCFullYear() + 1;
  let sunday = 31;
  while (new Date(Date.UTC(year, 2, sunday)).getUTCDay() !== 0) sunday--;
  return { year, sunday };
}

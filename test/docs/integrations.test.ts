import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { registerCommands } from '../../src/cli/commands.ts';
import { envSchema, loadEnv } from '../../src/config/env.ts';
import { deployWebhookSchema } from '../../src/domain/changes/changes.ts';
import { applyDocuments } from '../../src/domain/config/apply-documents.ts';
import { SYSTEM_ACTOR } from '../../src/domain/context.ts';
import { ALERT_SEVERITIES } from '../../src/domain/services/services.ts';
import { Engine } from '../../src/engine/engine.ts';
import { heartbeatsModule } from '../../src/engine/heartbeats.ts';
import { httpChecksModule } from '../../src/engine/http-checks.ts';
import { vendorStatusModule } from '../../src/engine/vendor-status.ts';
import { AppError } from '../../src/errors.ts';
import { smtpOptionsFromEnv } from '../../src/integrations/email-in/attach.ts';
import { SmtpReceiver } from '../../src/integrations/email-in/smtp-receiver.ts';
import { DATADOG_PAYLOAD_TEMPLATE } from '../../src/integrations/inbound/datadog.ts';
import { genericWebhookConfigSchema } from '../../src/integrations/inbound/generic-webhook.ts';
import { type TestApp, testApp } from '../helpers.ts';
import { selfSignedCertificate } from '../tls.ts';
import {
  type CurlRequest,
  curlRequest,
  type Snippet,
  shellCommands,
  snippetsOf,
  tableRows,
} from './snippets.ts';

// Runs every snippet of docs/integrations/*.md, in page order, against one real server: the `tocsin`
// commands (in process, over HTTP), the curl requests, the `kind: Service` documents, and checks each
// sender configuration for what Tocsin needs from it. A snippet that drifts from what the code
// accepts fails here. Markers are described in ./snippets.ts.

const DOCS = join(import.meta.dirname, '../../docs/integrations');
/** The server the pages name, and the public URL of the test server that stands in for it. */
const DOC_BASE = 'https://tocsin.example.com';
const APP_BASE = 'http://tocsin.test';
const HOUR = 3_600_000;

let t: TestApp;
const savedEnv = { url: process.env.TOCSIN_URL, token: process.env.TOCSIN_TOKEN };

beforeAll(async () => {
  t = await testApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  // The pages' commands carry no --url: like a reader's shell, the environment names the server.
  process.env.TOCSIN_URL = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  process.env.TOCSIN_TOKEN = t.adminToken;
  // The README's quick start first (its demo team, services and plans, and the day-one team): every
  // page must work after it, on names of its own (issue 9, item 10).
  const examples = join(import.meta.dirname, '../../examples');
  const sources = ['setup', 'plans', 'day-one'].flatMap((dir) =>
    readdirSync(join(examples, dir))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ file: `${dir}/${f}`, content: readFileSync(join(examples, dir, f), 'utf8') })),
  );
  await applyDocuments({ ctx: t.ctx(SYSTEM_ACTOR), input: { sources } });
});
afterAll(async () => {
  restoreEnv('TOCSIN_URL', savedEnv.url);
  restoreEnv('TOCSIN_TOKEN', savedEnv.token);
  await t.close();
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** What one page's snippets have done so far. */
interface PageRun {
  page: string;
  /** The integration type the page sets up. */
  type: string;
  key?: string;
  /** The integration's URL as Tocsin printed it. */
  url?: string;
  /** JSON the last command printed or the last request answered. */
  last?: unknown;
  applied: Set<string>;
  requests: CurlRequest[];
  /** Headers that sign a body as the page's sender is configured to (once the page sets it up). */
  sign?: (body: string) => Record<string, string>;
}

/** A snippet's text as run here: the key filled in, the pages' server replaced by the test's. */
function local(text: string, run: PageRun): string {
  if (text.includes('<key>') && !run.key)
    throw new Error(`${run.page}: <key> used before an integration exists`);
  return text
    .replaceAll('<key>', run.key ?? '')
    .replaceAll(DOC_BASE, APP_BASE)
    .replaceAll(`@${new URL(DOC_BASE).hostname}`, `@${new URL(APP_BASE).hostname}`);
}

/** A URL a sender is told to use is the one Tocsin printed for the integration. */
function expectSenderUrl(url: unknown, run: PageRun): void {
  expect(typeof url, `${run.page}: sender URL`).toBe('string');
  expect(local(String(url), run), `${run.page}: sender URL`).toBe(run.url);
}

function expectKey(text: unknown, run: PageRun): void {
  expect(local(String(text), run), `${run.page}: integration key`).toBe(run.key);
}

type Obj = Record<string, unknown>;

function obj(value: unknown, where: string): Obj {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), `${where} is a mapping`).toBe(
    true,
  );
  return value as Obj;
}

function only(value: unknown, where: string): Obj {
  expect(Array.isArray(value), `${where} is a list`).toBe(true);
  const list = value as unknown[];
  expect(list, `${where} has one entry`).toHaveLength(1);
  return obj(list[0], `${where}[0]`);
}

/** The sender's config names only fields the sender has (a misspelt field would be ignored or refused). */
function expectKeysIn(value: Obj, known: string[], where: string): void {
  expect(
    Object.keys(value).filter((k) => !known.includes(k)),
    `${where}: fields the sender does not know`,
  ).toEqual([]);
}

/** Runs `tocsin ARGS` in this process (the real commands and HTTP client) and returns what it printed. */
async function tocsin(args: string[]): Promise<string> {
  // exitOverride before the commands are added, so they inherit it: an error throws, never exits.
  const program = new Command('tocsin').exitOverride().enablePositionalOptions();
  registerCommands(program);
  let printed = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    const details = error instanceof Error && 'details' in error ? JSON.stringify(error.details) : '';
    throw new Error(`tocsin ${args.join(' ')}: ${String(error)} ${details}`);
  } finally {
    write.mockRestore();
  }
  return printed;
}

/** The integration of the page's type in a command's output (created, or listed by `service show`). */
function rememberIntegration(output: unknown, run: PageRun): void {
  if (typeof output !== 'object' || output === null) return;
  const o = output as Obj;
  const candidates = [o, ...(Array.isArray(o.integrations) ? (o.integrations as Obj[]) : [])];
  const found = candidates.find((c) => c.type === run.type && typeof c.key === 'string');
  if (!found) return;
  run.key = String(found.key);
  run.url = String(found.url);
}

async function runTocsin(args: string[], run: PageRun): Promise<void> {
  if (args[0] === 'apply') {
    // The document was applied where the page shows it (an `apply` snippet).
    const file = args[args.indexOf('-f') + 1] ?? '';
    expect(run.applied.has(file), `${run.page}: tocsin apply -f ${file} names a document of the page`).toBe(
      true,
    );
    return;
  }
  const printed = await tocsin(args);
  run.last = args.includes('--json') ? JSON.parse(printed) : printed;
  rememberIntegration(run.last, run);
}

async function send(request: CurlRequest, run: PageRun) {
  expect(request.url.startsWith(`${APP_BASE}/`), `${run.page}: curl URL ${request.url}`).toBe(true);
  expect(['GET', 'POST'], `${run.page}: curl method`).toContain(request.method);
  const url = new URL(request.url);
  return t.app.inject({
    method: request.method as 'GET' | 'POST',
    url: url.pathname + url.search,
    headers: request.headers,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
}

async function runCurl(request: CurlRequest, run: PageRun): Promise<void> {
  const res = await send(request, run);
  const heartbeat = new URL(request.url).pathname.startsWith('/api/v1/heartbeats/');
  expect(res.statusCode, `${run.page}: ${request.method} ${request.url}: ${res.body}`).toBe(
    heartbeat ? 200 : 202,
  );
  run.last = res.json();
  run.requests.push(request);
}

async function runShell(script: string, run: PageRun): Promise<void> {
  for (const command of shellCommands(local(script, run))) {
    // The pages run the CLI as the README does: `npx tocsin …`.
    const words = command[0] === 'npx' ? command.slice(1) : command;
    if (words[0] === 'tocsin') await runTocsin(words.slice(1), run);
    else if (words[0] === 'curl') await runCurl(curlRequest(words), run);
    else throw new Error(`${run.page}: the docs test runs tocsin and curl, not ${words[0]}`);
  }
}

async function applySnippet(s: Snippet, run: PageRun): Promise<void> {
  const file = s.options.file;
  if (!file) throw new Error(`${run.page}:${s.line}: an apply snippet names its file (file=…)`);
  try {
    const result = await applyDocuments({
      ctx: t.ctx(SYSTEM_ACTOR),
      input: { sources: [{ file, content: s.text }] },
    });
    expect(result.applied).toBe(true);
  } catch (error) {
    if (error instanceof AppError)
      throw new Error(`${run.page}: ${error.message} ${JSON.stringify(error.details)}`);
    throw error;
  }
  run.applied.add(file);
}

/** The snippets every page may use. Returns false for a marker that is not one of them. */
async function runCommon(s: Snippet, run: PageRun): Promise<boolean> {
  switch (s.name) {
    case 'run':
      await runShell(s.text, run);
      return true;
    case 'output':
      expect(run.last, `${run.page}:${s.line}: output`).toMatchObject(JSON.parse(local(s.text, run)));
      return true;
    case 'apply':
      await applySnippet(s, run);
      return true;
    case 'integration-url':
      expectSenderUrl(s.text.trim(), run);
      return true;
    default:
      return false;
  }
}

// Fields of the senders' own configuration formats, from their sources: Alertmanager's config
// package, grafana/alerting's receivers, Grafana's provisioning files.
const ALERTMANAGER_TOP = ['global', 'route', 'receivers', 'templates', 'inhibit_rules', 'time_intervals'];
const ALERTMANAGER_ROUTE = [
  'receiver',
  'group_by',
  'continue',
  'matchers',
  'match',
  'match_re',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'mute_time_intervals',
  'active_time_intervals',
  'routes',
];
const ALERTMANAGER_WEBHOOK = ['send_resolved', 'http_config', 'url', 'url_file', 'max_alerts', 'timeout'];
const ALERTMANAGER_PAGERDUTY = [
  'send_resolved',
  'http_config',
  'routing_key',
  'routing_key_file',
  'service_key',
  'service_key_file',
  'url',
  'client',
  'client_url',
  'description',
  'details',
  'images',
  'links',
  'source',
  'severity',
  'class',
  'component',
  'group',
  'timeout',
];
const GRAFANA_CONTACT_POINT = ['orgId', 'name', 'receivers'];
const GRAFANA_RECEIVER = ['uid', 'type', 'settings', 'disableResolveMessage'];
const GRAFANA_WEBHOOK = [
  'url',
  'httpMethod',
  'maxAlerts',
  'username',
  'password',
  'authorization_scheme',
  'authorization_credentials',
  'headers',
  'title',
  'message',
  'tlsConfig',
  'hmacConfig',
  'payload',
];
const GRAFANA_PAGERDUTY = [
  'integrationKey',
  'severity',
  'details',
  'class',
  'component',
  'group',
  'summary',
  'source',
  'client',
  'client_url',
  'url',
];

/** The one receiver of a Grafana contact point provisioning file, checked for its shape. */
function grafanaReceiver(text: string, type: string, where: string): Obj {
  const file = obj(parseYaml(text), where);
  expect(file.apiVersion, `${where}: apiVersion`).toBe(1);
  const point = only(file.contactPoints, `${where}: contactPoints`);
  expectKeysIn(point, GRAFANA_CONTACT_POINT, `${where}: contact point`);
  const receiver = only(point.receivers, `${where}: receivers`);
  expectKeysIn(receiver, GRAFANA_RECEIVER, `${where}: receiver`);
  expect(receiver.type, `${where}: receiver type`).toBe(type);
  return receiver;
}

/** One capture of a pattern that must occur in a code snippet. */
function capture(text: string, pattern: RegExp, where: string): string {
  const found = pattern.exec(text)?.[1];
  expect(found, `${where}: ${pattern}`).toBeDefined();
  return found ?? '';
}

type Check = (s: Snippet, run: PageRun) => void | Promise<void>;

interface PageSpec {
  type: string;
  /** The page's own snippets (each must appear on the page). */
  checks: Record<string, Check>;
  /** What the page's notes promise, checked after its snippets ran. */
  after?: (run: PageRun) => Promise<void>;
}

/** The documented request again, with its JSON body changed. */
async function resend(run: PageRun, index: number, change: (body: Obj) => void) {
  const request = run.requests[index];
  if (!request?.body) throw new Error(`${run.page}: no request ${index} with a body`);
  const body = JSON.parse(request.body) as Obj;
  change(body);
  const raw = JSON.stringify(body);
  const headers = { ...request.headers, ...run.sign?.(raw) };
  const res = await send({ ...request, headers, body: raw }, run);
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { alerts: { outcome: string }[] };
}

async function alertsOf(service: string) {
  return t.db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .select(['dedup_key', 'status', 'severity', 'summary', 'count'])
    .where('services.name', '=', service)
    .orderBy('alerts.id')
    .execute();
}

const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');

/** The stored config of the page's integration (what `tocsin apply` made of the page's document). */
async function storedConfig(run: PageRun): Promise<Obj> {
  const row = await t.db
    .selectFrom('integrations')
    .select('config')
    .where('key', '=', run.key ?? '')
    .executeTakeFirstOrThrow();
  return obj(row.config, `${run.page}: stored config`);
}

/** A documented table of fields equals a schema's fields and descriptions, in order. */
function expectFieldTable(table: string, shape: Record<string, { description?: string | undefined }>) {
  const documented = tableRows(table).map(([field, text]) => [field?.replaceAll('`', ''), text]);
  expect(documented).toEqual(Object.entries(shape).map(([field, value]) => [field, value.description]));
}

/** A loopback HTTP server answering with whatever `answer` says at the time. */
async function loopbackServer(answer: () => { status: number; body: string }) {
  const server = createServer((_request, response) => {
    const { status, body } = answer();
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The email page's receiver, started from the page's environment (its certificate made here). */
const mail: {
  dir?: string;
  cert?: Buffer;
  receiver?: SmtpReceiver;
  port?: number;
  documentedPort?: number;
} = {};

/** swaks' options these pages use, as a nodemailer message sent to the page's receiver. */
async function sendLikeSwaks(words: string[], run: PageRun): Promise<void> {
  expect(words[0], `${run.page}: a swaks command`).toBe('swaks');
  const o: Record<string, string | true> = {};
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '--tls') o.tls = true;
    else if (
      ['--server', '--auth-user', '--auth-password', '--from', '--to', '--header', '--body'].includes(w)
    )
      o[w.slice(2)] = words[++i] ?? '';
    else throw new Error(`${run.page}: swaks option ${w} is not understood by the docs test`);
  }
  const [host, port] = String(o.server).split(':');
  expect(host, `${run.page}: the server is the Tocsin host`).toBe(new URL(DOC_BASE).hostname);
  expect(Number(port), `${run.page}: the port is TOCSIN_SMTP_PORT`).toBe(mail.documentedPort);
  const subject = /^Subject:\s*(.*)$/.exec(String(o.header))?.[1];
  expect(subject, `${run.page}: a Subject header`).toBeDefined();
  const transport = createTransport({
    host: '127.0.0.1',
    port: mail.port,
    requireTLS: o.tls === true,
    tls: { ca: [mail.cert ?? ''], servername: 'localhost' },
    ...(o['auth-user'] ? { auth: { user: String(o['auth-user']), pass: String(o['auth-password']) } } : {}),
  });
  const info = await transport.sendMail({
    from: String(o.from),
    to: String(o.to),
    subject,
    text: String(o.body),
  });
  expect(info.accepted, `${run.page}: the message is accepted`).toEqual([String(o.to)]);
}

const PAGES: Record<string, PageSpec> = {
  'alertmanager.md': {
    type: 'alertmanager',
    checks: {
      'alertmanager-config': (s, run) => {
        const where = `${run.page}: alertmanager.yml`;
        const config = obj(parseYaml(s.text), where);
        expectKeysIn(config, ALERTMANAGER_TOP, where);
        const route = obj(config.route, `${where}: route`);
        expectKeysIn(route, ALERTMANAGER_ROUTE, `${where}: route`);
        const receivers = config.receivers as Obj[];
        const receiver = receivers.find((r) => r.name === route.receiver);
        expect(receiver, `${where}: the route's receiver is defined`).toBeDefined();
        const hook = only(receiver?.webhook_configs, `${where}: webhook_configs`);
        expectKeysIn(hook, ALERTMANAGER_WEBHOOK, `${where}: webhook_config`);
        expect(hook.send_resolved, `${where}: send_resolved`).toBe(true);
        expect(hook.max_alerts, `${where}: max_alerts`).toBe(0);
        expectSenderUrl(hook.url, run);
      },
    },
    after: async (run) => {
      // A group re-sent on group_interval: the same alert, counted.
      const again = await resend(run, 0, () => {});
      expect(again.alerts.map((a) => a.outcome)).toEqual(['deduplicated']);
      expect(await alertsOf('cart')).toMatchObject([{ status: 'triggered', count: 2 }]);
      // The group still `firing`, the alert inside it resolved: the alert's own status decides.
      const resolved = await resend(run, 0, (body) => {
        for (const alert of body.alerts as Obj[]) alert.status = 'resolved';
      });
      expect(resolved.alerts.map((a) => a.outcome)).toEqual(['resolved']);
      expect(await alertsOf('cart')).toMatchObject([{ status: 'resolved' }]);
    },
  },
  'grafana.md': {
    type: 'grafana',
    checks: {
      'grafana-contact-point': (s, run) => {
        const where = `${run.page}: contact point`;
        const receiver = grafanaReceiver(s.text, 'webhook', where);
        expect(receiver.disableResolveMessage, `${where}: resolved messages on`).toBe(false);
        const settings = obj(receiver.settings, `${where}: settings`);
        expectKeysIn(settings, GRAFANA_WEBHOOK, `${where}: settings`);
        expect(settings.httpMethod, `${where}: httpMethod`).toBe('POST');
        expect(settings.maxAlerts, `${where}: maxAlerts`).toBe(0);
        expectSenderUrl(settings.url, run);
      },
      'grafana-hmac': async (s, run) => {
        const where = `${run.page}: contact point with HMAC`;
        const settings = obj(grafanaReceiver(s.text, 'webhook', where).settings, `${where}: settings`);
        expectKeysIn(settings, GRAFANA_WEBHOOK, `${where}: settings`);
        expectSenderUrl(settings.url, run);
        const hmac = obj(settings.hmacConfig, `${where}: hmacConfig`);
        expectKeysIn(hmac, ['secret', 'header', 'timestampHeader'], `${where}: hmacConfig`);
        // Grafana's side matches the integration's config as applied.
        const stored = obj((await storedConfig(run)).hmac, `${where}: stored hmac`);
        expect(stored).toMatchObject({ secret: hmac.secret, timestampHeader: hmac.timestampHeader });
        expect(String(hmac.header).toLowerCase()).toBe(String(stored.header).toLowerCase());
        // Signed as Grafana signs: HMAC-SHA256 of "<unix seconds>:<body>", hex.
        run.sign = (body) => {
          const timestamp = String(Math.floor(t.clock.now().getTime() / 1000));
          return {
            [String(hmac.header)]: hmacHex(String(hmac.secret), `${timestamp}:${body}`),
            [String(hmac.timestampHeader)]: timestamp,
          };
        };
        const signed = await resend(run, 0, () => {});
        expect(signed.alerts.map((a) => a.outcome)).toEqual(['deduplicated']);
      },
    },
    after: async (run) => {
      const again = await resend(run, 0, () => {});
      expect(again.alerts.map((a) => a.outcome)).toEqual(['deduplicated']);
    },
  },
  'pagerduty.md': {
    type: 'pagerduty',
    checks: {
      // Each library posts to <base>/v2/enqueue (pdjs: https://<server>/v2/enqueue), see the page.
      pdpyras: (s, run) => {
        expectKey(capture(s.text, /pdpyras\.EventsAPISession\("([^"]+)"\)/, run.page), run);
        expectSenderUrl(`${capture(s.text, /session\.url = "([^"]+)"/, run.page)}/v2/enqueue`, run);
      },
      'python-pagerduty': (s, run) => {
        expectKey(capture(s.text, /pagerduty\.EventsApiV2Client\("([^"]+)"\)/, run.page), run);
        expectSenderUrl(`${capture(s.text, /client\.url = "([^"]+)"/, run.page)}/v2/enqueue`, run);
      },
      'go-pagerduty': (s, run) => {
        expectKey(capture(s.text, /RoutingKey:\s*"([^"]+)"/, run.page), run);
        const base = capture(s.text, /pagerduty\.WithV2EventsAPIEndpoint\("([^"]+)"\)/, run.page);
        expectSenderUrl(`${base}/v2/enqueue`, run);
        // The client's method, not the package-level function that always posts to PagerDuty.
        expect(s.text).toMatch(/\bclient\.ManageEventWithContext\(/);
      },
      pdjs: (s, run) => {
        expectKey(capture(s.text, /routing_key:\s*'([^']+)'/, run.page), run);
        expectSenderUrl(`https://${capture(s.text, /server:\s*'([^']+)'/, run.page)}/v2/enqueue`, run);
      },
      'alertmanager-pagerduty': (s, run) => {
        const where = `${run.page}: alertmanager.yml`;
        const receiver = only(obj(parseYaml(s.text), where).receivers, `${where}: receivers`);
        const pd = only(receiver.pagerduty_configs, `${where}: pagerduty_configs`);
        expectKeysIn(pd, ALERTMANAGER_PAGERDUTY, `${where}: pagerduty_config`);
        expectKey(pd.routing_key, run);
        expectSenderUrl(pd.url, run);
        expect(pd.send_resolved, `${where}: send_resolved`).toBe(true);
      },
      'grafana-pagerduty': (s, run) => {
        const where = `${run.page}: contact point`;
        const settings = obj(grafanaReceiver(s.text, 'pagerduty', where).settings, `${where}: settings`);
        expectKeysIn(settings, GRAFANA_PAGERDUTY, `${where}: settings`);
        expectKey(settings.integrationKey, run);
        expectSenderUrl(settings.url, run);
        expect(ALERT_SEVERITIES, `${where}: severity`).toContain(settings.severity);
      },
    },
    after: async () => {
      expect(await alertsOf('payments')).toMatchObject([{ dedup_key: 'disk-full-db-1', status: 'resolved' }]);
    },
  },
  'datadog.md': {
    type: 'datadog',
    checks: {
      'datadog-payload': (s) => {
        expect(JSON.parse(s.text)).toEqual(DATADOG_PAYLOAD_TEMPLATE);
        // The very text to paste: same fields in the same order.
        expect(s.text).toBe(JSON.stringify(DATADOG_PAYLOAD_TEMPLATE, null, 2));
      },
      'datadog-headers': async (s, run) => {
        const headers = Object.entries(obj(JSON.parse(s.text), `${run.page}: custom headers`));
        const { headerSecret } = await storedConfig(run);
        expect(headers.map(([name, value]) => ({ name, value }))).toEqual([headerSecret]);
      },
    },
    after: async (run) => {
      // The example bodies are the template filled in, nothing more, nothing less.
      for (const request of run.requests) {
        expect(Object.keys(JSON.parse(request.body ?? '{}'))).toEqual(Object.keys(DATADOG_PAYLOAD_TEMPLATE));
      }
      expect(await alertsOf('job-search')).toMatchObject([
        { status: 'resolved' },
        { dedup_key: 'b81e22f0c4a97d35', status: 'triggered', severity: 'warning' },
      ]);
    },
  },
  'sentry.md': {
    type: 'sentry',
    checks: {},
    after: async () => {
      expect(await alertsOf('web-app')).toMatchObject([
        { dedup_key: '1117540176', status: 'resolved' },
        { dedup_key: '1117540177', status: 'triggered', summary: 'RangeError: Invalid time value' },
      ]);
    },
  },
  'webhook.md': {
    type: 'webhook',
    checks: {
      'mapping-fields': (s) => expectFieldTable(s.text, genericWebhookConfigSchema.shape),
    },
    after: async () => {
      expect(await alertsOf('release-bot')).toMatchObject([
        { dedup_key: 'release-4.18.0', status: 'triggered', summary: 'Release 4.18.0 rolled back' },
      ]);
    },
  },
  'change-events.md': {
    type: 'pagerduty',
    checks: {},
  },
  'deploys.md': {
    type: 'deploy',
    checks: {
      'deploy-fields': (s) => expectFieldTable(s.text, deployWebhookSchema.shape),
    },
  },
  'http-checks.md': {
    type: 'none',
    checks: {},
    after: async () => {
      // The documented check, pointed at a local stand-in for the service's health endpoint.
      let answer = { status: 200, body: '{"status":"ok","checks":{"db":"ok"}}' };
      const server = await loopbackServer(() => answer);
      const module = httpChecksModule({ policy: { allowPrivate: true } });
      const engine = new Engine({ db: t.db, clock: t.clock }, [module]);
      const runDue = async () => {
        await engine.runUntilIdle();
        await module.idle();
      };
      try {
        await t.db
          .updateTable('checks')
          .set({ url: `${server.base}/health/detailed` })
          .where('name', '=', 'search-health')
          .execute();
        await runDue();
        expect(await alertsOf('search')).toEqual([]);
        answer = { status: 200, body: '{"status":"degraded"}' };
        t.clock.advance(61_000);
        await runDue();
        expect(await alertsOf('search')).toMatchObject([
          { dedup_key: 'check:search-health', status: 'triggered', severity: 'critical' },
        ]);
        answer = { status: 200, body: '{"status":"ok"}' };
        t.clock.advance(61_000);
        await runDue();
        expect(await alertsOf('search')).toMatchObject([{ status: 'resolved' }]);
      } finally {
        await server.close();
      }
    },
  },
  'vendor-status.md': {
    type: 'none',
    checks: {},
    after: async () => {
      // The documented watch, pointed at a local page in Statuspage's documented shape.
      const summary = JSON.parse(
        readFileSync(
          join(import.meta.dirname, '../../src/domain/vendor-status/fixtures/statuspage-summary.json'),
          'utf8',
        ),
      ) as { components: { name: string; status: string }[] };
      const gitOps = summary.components.find((c) => c.name === 'Git Operations');
      if (!gitOps) throw new Error('the fixture has no Git Operations component');
      gitOps.status = 'major_outage';
      const server = await loopbackServer(() => ({ status: 200, body: JSON.stringify(summary) }));
      const module = vendorStatusModule({ policy: { allowPrivate: true } });
      const engine = new Engine({ db: t.db, clock: t.clock }, [module]);
      try {
        await t.db
          .updateTable('vendor_watches')
          .set({ url: server.base })
          .where('name', '=', 'github')
          .execute();
        await engine.runUntilIdle();
        await module.idle();
        expect(await alertsOf('careers')).toMatchObject([
          { dedup_key: 'vendor:github:Git Operations', status: 'triggered', severity: 'critical' },
        ]);
      } finally {
        await server.close();
      }
    },
  },
  'email.md': {
    type: 'email',
    checks: {
      env: async (s, run) => {
        const vars = Object.fromEntries(
          s.text
            .trim()
            .split('\n')
            .map((line) => {
              const match = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
              if (!match) throw new Error(`${run.page}: not NAME=value: ${line}`);
              return [match[1] as string, match[2] as string];
            }),
        );
        for (const name of Object.keys(vars)) expect(Object.keys(envSchema.shape)).toContain(name);
        expect(() => loadEnv(vars)).not.toThrow();
        // The receiver as `tocsin serve` starts it from this environment, with a certificate made
        // here in place of the documented files and any free port in place of the documented one.
        mail.dir = mkdtempSync(join(tmpdir(), 'tocsin-docs-smtp-'));
        const { certFile, keyFile } = selfSignedCertificate(mail.dir, 'smtp-in');
        mail.cert = readFileSync(certFile);
        mail.documentedPort = Number(vars.TOCSIN_SMTP_PORT);
        for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
        vi.stubEnv('TOCSIN_SMTP_IN_TLS_CERT', certFile);
        vi.stubEnv('TOCSIN_SMTP_IN_TLS_KEY', keyFile);
        try {
          const options = smtpOptionsFromEnv();
          if (!options) throw new Error(`${run.page}: the environment starts no receiver`);
          expect(options.auth).toBeDefined();
          mail.receiver = new SmtpReceiver(
            { db: t.db, clock: t.clock },
            { ...options, port: 0, host: '127.0.0.1' },
          );
          mail.port = await mail.receiver.listen();
        } finally {
          vi.unstubAllEnvs();
        }
      },
      'smtp-send': async (s, run) => {
        const [words, ...more] = shellCommands(local(s.text, run));
        expect(more).toEqual([]);
        await sendLikeSwaks(words ?? [], run);
      },
    },
    after: async () => {
      await mail.receiver?.close();
      if (mail.dir) rmSync(mail.dir, { recursive: true, force: true });
    },
  },
  'heartbeats.md': {
    type: 'heartbeat',
    checks: {
      cron: async (s, run) => {
        const line = s.text.trim();
        expect(line, `${run.page}: a crontab line`).toMatch(/^(\S+\s+){5}\S/);
        const ping = line.split('&&').at(-1)?.trim() ?? '';
        expect(ping, `${run.page}: the ping`).toMatch(/^curl -fsS -m 10 --retry 3 /);
        const [words, ...more] = shellCommands(local(ping, run));
        expect(more).toEqual([]);
        await runCurl(curlRequest(words ?? []), run);
      },
    },
    after: async (run) => {
      const engine = new Engine({ db: t.db, clock: t.clock }, [heartbeatsModule()]);
      // interval 1d + grace 1h after the last ping, and a second more: silent.
      t.clock.advance(25 * HOUR + 1000);
      await engine.runUntilIdle();
      const [alert] = await alertsOf('backups');
      expect(alert).toMatchObject({
        dedup_key: 'heartbeat:nightly-backup',
        status: 'triggered',
        severity: 'error',
      });
      expect(alert?.summary).toMatch(/^Heartbeat nightly-backup of backups is silent since /);
      const [cron] = run.requests;
      if (!cron) throw new Error('no ping was sent');
      await runCurl(cron, run);
      expect(await alertsOf('backups')).toMatchObject([{ status: 'resolved' }]);
    },
  },
};

const pageFiles = readdirSync(DOCS)
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .sort();

describe('docs/integrations', () => {
  it('has a spec here for every page, and the index links every page', () => {
    expect(pageFiles).toEqual(Object.keys(PAGES).sort());
    const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
    const linked = [...index.matchAll(/\]\(([a-z-]+\.md)\)/g)].map((m) => m[1]);
    expect([...new Set(linked)].sort()).toEqual(pageFiles);
    // The index has no snippets of its own to run.
    expect(snippetsOf(index, 'README.md')).toEqual([]);
  });

  for (const [page, spec] of Object.entries(PAGES)) {
    it(`${page}: every snippet works against a real server`, async () => {
      const run: PageRun = { page, type: spec.type, applied: new Set(), requests: [] };
      const used = new Set<string>();
      for (const s of snippetsOf(readFileSync(join(DOCS, page), 'utf8'), page)) {
        if (await runCommon(s, run)) continue;
        const check = spec.checks[s.name];
        if (!check) throw new Error(`${page}:${s.line}: no check for the snippet marked "${s.name}"`);
        await check(s, run);
        used.add(s.name);
      }
      expect([...used].sort(), `${page}: its sender snippets`).toEqual(Object.keys(spec.checks).sort());
      await spec.after?.(run);
    });
  }
});

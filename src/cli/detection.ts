import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, enc, type Json, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// `tocsin change …`, `tocsin check …`, `tocsin vendor …`: other detection sources (changes, HTTP
// checks, vendor status pages). Thin clients of the HTTP API.
const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function printChanges(changes: Json[]): void {
  printTable(
    ['when', 'service', 'version', 'environment', 'summary'],
    changes.map((c) => [
      text(c.happened_at),
      text(c.service),
      text(c.version),
      text(c.environment),
      text(c.summary),
    ]),
  );
}

function registerChange(program: Command): void {
  const change = program.command('change').description('Changes (deploys, config changes) of services');
  withCommon(
    change
      .command('list')
      .description(
        'Recent changes, newest first; with --incident, those of its services before it was declared',
      )
      .option('--service <name>')
      .option('--since <timestamp>', 'ISO 8601, e.g. 2026-03-02T00:00:00Z')
      .option('--incident <id>')
      .option('--hours <n>', 'with --incident: how far back (default 24)')
      .option('--limit <n>', 'how many', '100'),
  ).action(
    async (
      o: CommonOpts & { service?: string; since?: string; incident?: string; hours?: string; limit: string },
    ) => {
      const client = new ApiClient({ url: o.url });
      if (o.incident) {
        const q = o.hours ? `?hours=${enc(o.hours)}` : '';
        const res = await client.get<{ changes: Json[] }>(`/api/v1/incidents/${enc(o.incident)}/changes${q}`);
        return o.json ? printJson(res) : printChanges(res.changes);
      }
      const q = new URLSearchParams({ limit: o.limit });
      if (o.service) q.set('service', o.service);
      if (o.since) q.set('since', o.since);
      const { changes } = await client.get<{ changes: Json[] }>(`/api/v1/changes?${q}`);
      return o.json ? printJson(changes) : printChanges(changes);
    },
  );
}

function registerCheck(program: Command): void {
  const check = program.command('check').description('HTTP checks the engine runs');
  withCommon(
    check
      .command('create <name>')
      .description('Request a URL every interval; a wrong answer raises the alert check:<name>')
      .requiredOption('--service <name>', 'the service whose alert it raises')
      .requiredOption('--target <url>', 'the URL to request')
      .option('--method <method>', 'GET|HEAD|POST')
      .option('--interval <duration>', 'default 1m')
      .option('--timeout <duration>', 'default 10s')
      .option('--expect-status <code>', 'default 200')
      .option('--body-contains <text>')
      .option('--max-latency-ms <ms>')
      .option('--severity <severity>', 'critical|error|warning|info (default error)'),
  ).action(
    async (
      name: string,
      o: CommonOpts & {
        service: string;
        target: string;
        method?: string;
        interval?: string;
        timeout?: string;
        expectStatus?: string;
        bodyContains?: string;
        maxLatencyMs?: string;
        severity?: string;
      },
    ) => {
      const body: Json = { service: o.service, name, url: o.target };
      if (o.method) body.method = o.method.toUpperCase();
      if (o.interval) body.interval = o.interval;
      if (o.timeout) body.timeout = o.timeout;
      if (o.expectStatus) body.expected_status = Number(o.expectStatus);
      if (o.bodyContains) body.body_contains = o.bodyContains;
      if (o.maxLatencyMs) body.max_latency_ms = Number(o.maxLatencyMs);
      if (o.severity) body.severity = o.severity;
      const { check: created } = await new ApiClient({ url: o.url }).post<{ check: Json }>(
        '/api/v1/checks',
        body,
      );
      if (o.json) printJson(created);
      else
        process.stdout.write(
          `check/${text(created.name)} created: ${text(created.url)} every ${text(created.interval)}\n`,
        );
    },
  );
  withCommon(
    check.command('list').description('Checks and their last result').option('--service <name>'),
  ).action(async (o: CommonOpts & { service?: string }) => {
    const q = o.service ? `?service=${enc(o.service)}` : '';
    const { checks } = await new ApiClient({ url: o.url }).get<{ checks: Json[] }>(`/api/v1/checks${q}`);
    if (o.json) return printJson(checks);
    printTable(
      ['name', 'service', 'state', 'status', 'ms', 'last run', 'url', 'error'],
      checks.map((c) => [
        text(c.name),
        text(c.service),
        text(c.state),
        text(c.last_status),
        text(c.last_latency_ms),
        text(c.last_run_at),
        text(c.url),
        text(c.last_error),
      ]),
    );
  });
  withCommon(check.command('show <name>').description('One check')).action(
    async (name: string, o: CommonOpts) => {
      const { check: found } = await new ApiClient({ url: o.url }).get<{ check: Json }>(
        `/api/v1/checks/${enc(name)}`,
      );
      printJson(found);
    },
  );
  withCommon(check.command('delete <name>').description('Delete a check (resolves its open alert)')).action(
    async (name: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).request<{ check: Json }>(
        'DELETE',
        `/api/v1/checks/${enc(name)}`,
      );
      if (o.json) printJson(res.check);
      else process.stdout.write(`check/${name} deleted\n`);
    },
  );
}

function registerVendor(program: Command): void {
  const vendor = program
    .command('vendor')
    .description('Vendor status pages (Statuspage v2) the engine watches');
  withCommon(
    vendor
      .command('watch <name>')
      .description(
        'Watch a status page; a watched component not operational raises vendor:<name>:<component>',
      )
      .requiredOption('--service <name>', 'the service that depends on the vendor')
      .requiredOption('--page <url>', 'the status page, e.g. https://www.githubstatus.com')
      .option('--component <name>', 'a component to watch (repeatable; default: all)', collect)
      .option('--interval <duration>', 'default 5m')
      .option('--timeout <duration>', 'default 10s'),
  ).action(
    async (
      name: string,
      o: CommonOpts & {
        service: string;
        page: string;
        component?: string[];
        interval?: string;
        timeout?: string;
      },
    ) => {
      const body: Json = { service: o.service, name, url: o.page, components: o.component ?? [] };
      if (o.interval) body.interval = o.interval;
      if (o.timeout) body.timeout = o.timeout;
      const { vendor_watch: created } = await new ApiClient({ url: o.url }).post<{ vendor_watch: Json }>(
        '/api/v1/vendor-watches',
        body,
      );
      if (o.json) printJson(created);
      else process.stdout.write(`vendor/${text(created.name)} watching ${text(created.summary_url)}\n`);
    },
  );
  withCommon(
    vendor.command('list').description('Vendor watches and what they last read').option('--service <name>'),
  ).action(async (o: CommonOpts & { service?: string }) => {
    const q = o.service ? `?service=${enc(o.service)}` : '';
    const { vendor_watches: watches } = await new ApiClient({ url: o.url }).get<{ vendor_watches: Json[] }>(
      `/api/v1/vendor-watches${q}`,
    );
    if (o.json) return printJson(watches);
    printTable(
      ['name', 'service', 'state', 'not operational', 'last run', 'error'],
      watches.map((w) => [
        text(w.name),
        text(w.service),
        text(w.state),
        Object.entries((w.component_status as Record<string, string>) ?? {})
          .filter(([, status]) => status !== 'operational')
          .map(([component, status]) => `${component}: ${status}`)
          .join(', '),
        text(w.last_run_at),
        text(w.last_error),
      ]),
    );
  });
  withCommon(vendor.command('show <name>').description('One vendor watch')).action(
    async (name: string, o: CommonOpts) => {
      const { vendor_watch: found } = await new ApiClient({ url: o.url }).get<{ vendor_watch: Json }>(
        `/api/v1/vendor-watches/${enc(name)}`,
      );
      printJson(found);
    },
  );
  withCommon(vendor.command('unwatch <name>').description('Stop watching (resolves its open alerts)')).action(
    async (name: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).request<{ vendor_watch: Json }>(
        'DELETE',
        `/api/v1/vendor-watches/${enc(name)}`,
      );
      if (o.json) printJson(res.vendor_watch);
      else process.stdout.write(`vendor/${name} no longer watched\n`);
    },
  );
}

export function registerDetection(program: Command): void {
  registerChange(program);
  registerCheck(program);
  registerVendor(program);
}

import type { Command } from 'commander';
import { INTEGRATION_TYPES } from '../domain/services/services.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, enc, type Json, pairs, withCommon } from './common.ts';
import { shortTime } from './incident.ts';
import { printJson, printNextPage, printTable } from './output.ts';

// `tocsin service …`, `tocsin integration …`, `tocsin alert …`: thin clients of the HTTP API.

export function registerService(program: Command): void {
  const service = program.command('service').description('Services: what alerts belong to');
  withCommon(
    service
      .command('create <name>')
      .description('Create a service')
      .option('--description <text>', '', '')
      .option('--team <name>', 'owning team')
      .option('--plan <name>', 'plan its incidents run under')
      .addHelpText(
        'after',
        '\nExamples:\n  npx tocsin service create shop --plan minimal --team platform\n' +
          '  npx tocsin integration create --service shop --type pagerduty --json   (its key and URL)\n' +
          'Its escalation policy pages its incidents: declare services in YAML with escalationPolicy (tocsin apply).',
      ),
  ).action(async (name: string, o: CommonOpts & { description: string; team?: string; plan?: string }) => {
    const body: Json = { name, description: o.description };
    if (o.team) body.team = o.team;
    if (o.plan) body.plan = o.plan;
    const { service: created } = await new ApiClient({ url: o.url }).post<{ service: Json }>(
      '/api/v1/services',
      body,
    );
    if (o.json) printJson(created);
    else process.stdout.write(`service/${String(created.name)} created\n`);
  });
  withCommon(service.command('list').description('List services')).action(async (o: CommonOpts) => {
    const { services } = await new ApiClient({ url: o.url }).get<{ services: Json[] }>('/api/v1/services');
    if (o.json) return printJson(services);
    printTable(
      ['name', 'team', 'plan', 'description'],
      services.map((s) => [String(s.name), s.team as string, s.plan_name as string, s.description as string]),
    );
  });
  withCommon(service.command('show <name>').description('Show a service and its integrations')).action(
    async (name: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).get<{ service: Json; integrations: Json[] }>(
        `/api/v1/services/${enc(name)}`,
      );
      if (o.json) return printJson(res);
      process.stdout.write(
        `service ${String(res.service.name)}  plan ${String(res.service.plan_name ?? '—')}\n\n`,
      );
      printTable(
        ['integration', 'type', 'key', 'url'],
        res.integrations.map((i) => [String(i.name), String(i.type), String(i.key), (i.url as string) ?? '']),
      );
    },
  );

  const integration = program.command('integration').description('Inbound integrations (keys senders use)');
  withCommon(
    integration
      .command('create')
      .description('Add an integration to a service; prints its key and the URL to give the sender')
      .requiredOption('--service <name>')
      .requiredOption('--type <type>', INTEGRATION_TYPES.join('|'))
      .option('--name <name>', 'default: the type')
      .option('--key <key>', '32 letters/digits (default: generated)')
      .option(
        '--config <key=value>',
        'type-specific setting, e.g. interval=5m for a heartbeat (repeatable)',
        collect,
      )
      .addHelpText(
        'after',
        '\nExample:\n  tocsin integration create --service backups --type heartbeat --config interval=1d --config grace=1h --json',
      ),
  ).action(
    async (
      o: CommonOpts & { service: string; type: string; name?: string; key?: string; config?: string[] },
    ) => {
      const body: Json = { type: o.type };
      if (o.name) body.name = o.name;
      if (o.key) body.key = o.key;
      if (o.config) body.config = pairs(o.config, '--config');
      const { integration: created } = await new ApiClient({ url: o.url }).post<{ integration: Json }>(
        `/api/v1/services/${enc(o.service)}/integrations`,
        body,
      );
      if (o.json) printJson(created);
      else
        process.stdout.write(
          `integration ${String(created.name)} of ${o.service}\nkey ${String(created.key)}\nurl ${String(created.url)}\n`,
        );
    },
  );
  withCommon(
    integration
      .command('rotate')
      .description('Replace an integration key (the old key stops working)')
      .requiredOption('--service <name>')
      .requiredOption('--name <integration>'),
  ).action(async (o: CommonOpts & { service: string; name: string }) => {
    const { integration: rotated } = await new ApiClient({ url: o.url }).post<{ integration: Json }>(
      `/api/v1/services/${enc(o.service)}/integrations/${enc(o.name)}/rotate`,
    );
    if (o.json) printJson(rotated);
    else process.stdout.write(`new key ${String(rotated.key)}\n`);
  });

  const alert = program.command('alert').description('Alerts: list, inspect, acknowledge, resolve');
  withCommon(
    alert
      .command('list')
      .description('List alerts, most recently seen first')
      .option('--service <name>')
      .option('--status <status>', 'open|triggered|acknowledged|resolved|all', 'all')
      .option('--label <key=value>', 'labels to match (repeatable)', (v: string, p: string[] = []) => [
        ...p,
        v,
      ])
      .option('--limit <n>', 'how many', '100')
      .option('--cursor <next>', 'the page after the one that printed this cursor'),
  ).action(
    async (
      o: CommonOpts & { service?: string; status: string; label?: string[]; limit: string; cursor?: string },
    ) => {
      const q = new URLSearchParams({ status: o.status, limit: o.limit });
      if (o.service) q.set('service', o.service);
      if (o.cursor) q.set('cursor', o.cursor);
      for (const l of o.label ?? []) q.append('label', l);
      const { alerts, next } = await new ApiClient({ url: o.url }).get<{
        alerts: Json[];
        next?: string | null;
      }>(`/api/v1/alerts?${q}`);
      printNextPage(next);
      if (o.json) return printJson(alerts);
      printTable(
        ['id', 'service', 'status', 'severity', 'count', 'dedup key', 'summary', 'last seen'],
        alerts.map((a) => [
          String(a.id),
          String(a.service),
          String(a.status),
          String(a.severity),
          String(a.count),
          String(a.dedup_key),
          String(a.summary).slice(0, 60),
          shortTime(a.last_seen_at as string),
        ]),
      );
    },
  );
  withCommon(alert.command('show <id>').description('Show an alert with its raw payload and events')).action(
    async (id: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).get<Json>(`/api/v1/alerts/${enc(id)}`);
      printJson(res);
    },
  );
  for (const [verb, path] of [
    ['ack', 'acknowledge'],
    ['resolve', 'resolve'],
  ] as const) {
    withCommon(
      alert
        .command(`${verb} <id>`)
        .description(`${path === 'resolve' ? 'Resolve' : 'Acknowledge'} an alert`)
        .addHelpText(
          'after',
          `\nExamples:\n  npx tocsin alert list --status open\n  npx tocsin alert ${verb} 42\n` +
            (verb === 'ack'
              ? 'Acknowledging an alert does not stop paging: acknowledge its incident (npx tocsin incident ack ID).'
              : 'Resolving the incident resolves its alerts too (npx tocsin incident resolve ID).'),
        ),
    ).action(async (id: string, o: CommonOpts) => {
      const { alert: a } = await new ApiClient({ url: o.url }).post<{ alert: Json }>(
        `/api/v1/alerts/${enc(id)}/${path}`,
      );
      if (o.json) printJson(a);
      else process.stdout.write(`alert ${String(a.id)} ${String(a.status)}\n`);
    });
  }
  withCommon(alert.command('note <id> <text...>').description('Add a note to an alert')).action(
    async (id: string, text: string[], o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).post<Json>(`/api/v1/alerts/${enc(id)}/notes`, {
        text: text.join(' '),
      });
      if (o.json) printJson(res);
      else process.stdout.write(`noted on alert ${id}\n`);
    },
  );
}

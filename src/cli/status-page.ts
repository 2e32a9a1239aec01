import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, enc, type Json, pairs, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// `tocsin status-page …`: a thin client of /api/v1/status-page (the public page is /status).

const BASE = '/api/v1/status-page';

interface ComponentOpts extends CommonOpts {
  group?: string;
  groupComponent?: boolean;
  description?: string;
  position?: string;
  onlyShowIfDegraded?: boolean;
}

interface MaintenanceOpts extends CommonOpts {
  component?: string[];
  start?: string;
  end?: string;
  body?: string[];
  manual?: boolean;
}

function printMaintenance(m: Json, o: CommonOpts): void {
  if (o.json) printJson(m);
  else process.stdout.write(`maintenance ${String(m.id)}  ${String(m.status)}  ${String(m.name)}\n`);
}

export function registerStatusPage(program: Command): void {
  const group = program
    .command('status-page')
    .description('The public status page (/status): settings, components, maintenance')
    .addHelpText(
      'after',
      `
Examples:
  tocsin status-page settings --name "Creator status" --lang en --lang am
  tocsin status-page component set Platform --group-component
  tocsin status-page component set API --group Platform --description "Public API"
  tocsin status-page component status API partial_outage --incident 12
  tocsin status-page maintenance schedule "Database upgrade" --component API \\
      --start 2026-03-05T22:00:00Z --end 2026-03-06T00:00:00Z --body "en=We upgrade the database."
  tocsin status-page maintenance emergency "Uploads paused" --component Uploads --body "en=Urgent fix under way."
  tocsin status-page maintenance update 3 --status completed --body "en=Done."
  tocsin status-page show --json | jq '.components[].name'
Or declare it in a document for tocsin apply (kind: StatusPage).`,
    );

  withCommon(group.command('show').description('Settings, components and maintenance')).action(
    async (o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).get<{
        settings: Json;
        components: Json[];
        maintenances: Json[];
      }>(BASE);
      if (o.json) return printJson(res);
      const { settings } = res;
      process.stdout.write(
        `${String(settings.name)}  languages: ${(settings.languages as string[]).join(', ') || '(those of the plans)'}\n`,
      );
      printTable(
        ['component', 'group', 'status', 'position'],
        res.components.map((c) => [
          c.group_component ? `${String(c.name)} (group)` : String(c.name),
          (c.group as string | null) ?? '',
          String(c.status),
          String(c.position),
        ]),
      );
      if (res.maintenances.length > 0) {
        printTable(
          ['maintenance', 'status', 'name', 'from', 'until'],
          res.maintenances.map((m) => [
            String(m.id),
            String(m.status),
            String(m.name),
            String(m.scheduled_for),
            String(m.scheduled_until ?? ''),
          ]),
        );
      }
    },
  );

  withCommon(
    group
      .command('settings')
      .description('Set the page title and the languages readers switch between')
      .requiredOption('--name <title>', 'the page title')
      .option('--lang <code>', 'a language, in fallback order (repeatable)', collect),
  ).action(async (o: CommonOpts & { name: string; lang?: string[] }) => {
    const res = await new ApiClient({ url: o.url }).put<{ settings: Json }>(`${BASE}/settings`, {
      name: o.name,
      languages: o.lang ?? [],
    });
    if (o.json) printJson(res.settings);
    else process.stdout.write(`status page "${String(res.settings.name)}" saved\n`);
  });

  const component = group.command('component').description('Components and groups of components');
  withCommon(
    component
      .command('set <name>')
      .description('Create or change a component (or, with --group-component, a group)')
      .option('--group <name>', 'the group it belongs to')
      .option('--group-component', 'this is a group of components')
      .option('--description <text>')
      .option('--position <n>', 'order on the page (lowest first)')
      .option('--only-show-if-degraded', 'hide it while it is operational'),
  ).action(async (name: string, o: ComponentOpts) => {
    const body: Json = {
      group: o.group ?? null,
      group_component: o.groupComponent === true,
      only_show_if_degraded: o.onlyShowIfDegraded === true,
    };
    if (o.description !== undefined) body.description = o.description;
    if (o.position !== undefined) body.position = Number(o.position);
    const res = await new ApiClient({ url: o.url }).put<{ change: string; component: Json }>(
      `${BASE}/components/${enc(name)}`,
      body,
    );
    if (o.json) printJson(res);
    else process.stdout.write(`component ${name} ${res.change}\n`);
  });
  withCommon(
    component
      .command('status <name> <status>')
      .description(
        'Set its status: operational, degraded_performance, partial_outage, major_outage, under_maintenance',
      )
      .option('--incident <id>', 'the incident this belongs to (the component is listed on it)'),
  ).action(async (name: string, status: string, o: CommonOpts & { incident?: string }) => {
    const res = await new ApiClient({ url: o.url }).post<{ changed: boolean; component: Json }>(
      `${BASE}/components/${enc(name)}/status`,
      { status, ...(o.incident ? { incident_id: o.incident } : {}) },
    );
    if (o.json) printJson(res);
    else process.stdout.write(`component ${name} ${res.changed ? 'is now' : 'already was'} ${status}\n`);
  });

  const maintenance = group.command('maintenance').description('Scheduled and emergency maintenance');
  const withWindow = (c: Command) =>
    c
      .option('--component <name>', 'a component it affects (repeatable)', collect)
      .option('--body <lang=text>', 'the announcement in one language (repeatable)', collect);
  withCommon(
    withWindow(
      maintenance
        .command('schedule <name>')
        .description('Schedule maintenance: in progress at --start, completed at --end, unless --manual')
        .requiredOption('--start <time>', 'ISO time')
        .option('--end <time>', 'ISO time')
        .option('--manual', 'do not start or complete it by the clock'),
    ),
  ).action(async (name: string, o: MaintenanceOpts) => {
    const bodies = pairs(o.body, '--body');
    const res = await new ApiClient({ url: o.url }).post<{ maintenance: Json }>(`${BASE}/maintenances`, {
      name,
      components: o.component ?? [],
      scheduled_for: o.start,
      ...(o.end ? { scheduled_until: o.end } : {}),
      ...(Object.keys(bodies).length > 0 ? { bodies } : {}),
      auto_start: o.manual !== true,
      auto_complete: o.manual !== true,
    });
    printMaintenance(res.maintenance, o);
  });
  withCommon(
    withWindow(
      maintenance
        .command('emergency <name>')
        .description(
          'Put components under maintenance now, until `maintenance update <id> --status completed`',
        ),
    ),
  ).action(async (name: string, o: MaintenanceOpts) => {
    const bodies = pairs(o.body, '--body');
    const res = await new ApiClient({ url: o.url }).post<{ maintenance: Json }>(`${BASE}/maintenances`, {
      name,
      components: o.component ?? [],
      emergency: true,
      ...(Object.keys(bodies).length > 0 ? { bodies } : {}),
    });
    printMaintenance(res.maintenance, o);
  });
  withCommon(
    maintenance
      .command('update <id>')
      .description('Post an update: a new status (in_progress, verifying, completed), a text, or both')
      .option('--status <status>')
      .option('--body <lang=text>', 'the text in one language (repeatable)', collect),
  ).action(async (id: string, o: CommonOpts & { status?: string; body?: string[] }) => {
    const bodies = pairs(o.body, '--body');
    const res = await new ApiClient({ url: o.url }).post<{ maintenance: Json }>(
      `${BASE}/maintenances/${enc(id)}/updates`,
      { ...(o.status ? { status: o.status } : {}), ...(Object.keys(bodies).length > 0 ? { bodies } : {}) },
    );
    printMaintenance(res.maintenance, o);
  });

  registerSubscriberCommands(group);
}

/** `tocsin status-page subscribers …`: who receives notices, and removing one. */
function registerSubscriberCommands(group: Command): void {
  const subscribers = group
    .command('subscribers')
    .description('Readers subscribed by email (after confirming) or webhook: list and remove')
    .addHelpText(
      'after',
      `
Readers subscribe themselves: the form on /status, or POST /status/api/v2/subscribers
{"email": "…"} or {"endpoint": "https://…"} (optional "component_ids", "language").

Examples:
  tocsin status-page subscribers list
  tocsin status-page subscribers list --status active --mode email --json | jq -r '.[].address'
  tocsin status-page subscribers remove 12`,
    );
  withCommon(
    subscribers
      .command('list')
      .description('Subscribers, newest first')
      .option('--mode <mode>', 'email or webhook')
      .option('--status <status>', 'pending, active or unsubscribed'),
  ).action(async (o: CommonOpts & { mode?: string; status?: string }) => {
    const query = new URLSearchParams();
    if (o.mode) query.set('kind', o.mode);
    if (o.status) query.set('status', o.status);
    const q = query.toString();
    const res = await new ApiClient({ url: o.url }).get<{ subscribers: Json[] }>(
      `${BASE}/subscribers${q ? `?${q}` : ''}`,
    );
    if (o.json) return printJson(res.subscribers);
    printTable(
      ['id', 'mode', 'address', 'status', 'language', 'components'],
      res.subscribers.map((s) => [
        String(s.id),
        String(s.mode),
        String(s.address),
        String(s.status),
        String(s.language ?? ''),
        (s.components as string[]).join(', ') || '(all)',
      ]),
    );
  });
  withCommon(subscribers.command('remove <id>').description('Stop sending notices to a subscriber')).action(
    async (id: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).delete<{ subscriber: Json }>(
        `${BASE}/subscribers/${enc(id)}`,
      );
      if (o.json) printJson(res.subscriber);
      else process.stdout.write(`subscriber ${id} removed\n`);
    },
  );
}

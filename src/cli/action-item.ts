import type { Command } from 'commander';
import type { ActionItem } from '../domain/action-items/action-items.ts';
import type { TeamOpenItems } from '../domain/action-items/list-action-items.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// tocsin action-item list|teams|add|update|show: what a team commits to after an incident.

type Wire = Omit<ActionItem, 'due_at' | 'created_at' | 'updated_at' | 'done_at' | 'overdue_reminded_at'> & {
  due_at: string | null;
};

function printItems(items: Wire[]): void {
  if (items.length === 0) return void process.stdout.write('No action items.\n');
  printTable(
    ['id', 'incident', 'priority', 'status', 'owner', 'team', 'due', 'overdue', 'title'],
    items.map((i) => [
      i.id,
      i.incident_id,
      i.priority,
      i.status,
      i.owner ?? '-',
      i.team ?? '-',
      i.due_at ?? '-',
      i.overdue ? 'yes' : '',
      i.title,
    ]),
  );
}

function printItem(i: Wire): void {
  process.stdout.write(
    `#${i.id} ${i.title}\nincident ${i.incident_id} · ${i.priority} · ${i.status}${i.overdue ? ' · OVERDUE' : ''}\n` +
      `owner: ${i.owner ?? '-'} · team: ${i.team ?? '-'} · due: ${i.due_at ?? '-'}\n` +
      `${i.tracker_url ? `tracker: ${i.tracker_url}\n` : ''}${i.description ? `\n${i.description}\n` : ''}`,
  );
}

interface FieldOpts {
  title?: string;
  description?: string;
  owner?: string;
  due?: string;
  priority?: string;
  status?: string;
  tracker?: string;
  team?: string;
}

/** Options to body fields; "none" clears owner, due, tracker and team. */
function fields(o: FieldOpts): Record<string, unknown> {
  const clearable = (v: string | undefined) => (v === undefined ? undefined : v === 'none' ? null : v);
  const body: Record<string, unknown> = {
    title: o.title,
    description: o.description,
    owner: clearable(o.owner),
    due_at: clearable(o.due),
    priority: o.priority,
    status: o.status,
    tracker_url: clearable(o.tracker),
    team: clearable(o.team),
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

const fieldOptions = (c: Command) =>
  c
    .option('--owner <handle>', 'who does it ("none" to clear)')
    .option('--due <time>', 'due date, ISO 8601 such as 2026-03-20T17:00:00Z ("none" to clear)')
    .option('--priority <p>', 'low, medium, high or urgent')
    .option('--tracker <url>', 'link to the issue in your tracker ("none" to clear)')
    .option('--team <name>', "a team (default: the incident service's team)")
    .option('--description <text>', 'more detail');

export function registerActionItem(program: Command): void {
  const group = program
    .command('action-item')
    .description('Action items after incidents: owner, due date, priority, status, tracker link')
    .addHelpText(
      'after',
      `
Examples:
  npx tocsin action-item add 42 "Alert on queue depth" --owner ana --due 2026-03-20T17:00:00Z --priority high
  npx tocsin action-item list --team payments
  npx tocsin action-item list --overdue
  npx tocsin action-item teams
  npx tocsin action-item update 7 --status done
  npx tocsin action-item push 7 --tracker github     # or jira; the issue URL becomes its tracker link
  npx tocsin action-item push 7 --status
  npx tocsin action-item list --json | jq '.[].title'`,
    );
  withCommon(
    group
      .command('list')
      .description('Unfinished action items (open or in progress), soonest due first')
      .option('--incident <id>', 'of one incident')
      .option('--team <name>', 'of one team')
      .option('--owner <handle>', 'of one person')
      .option('--status <status>', 'open, in_progress, done, cancelled, unfinished or all')
      .option('--overdue', 'only those past their due date'),
  ).action(
    async (
      o: CommonOpts & {
        incident?: string;
        team?: string;
        owner?: string;
        status?: string;
        overdue?: boolean;
      },
    ) => {
      const q = new URLSearchParams(
        Object.entries({
          incident: o.incident,
          team: o.team,
          owner: o.owner,
          status: o.status,
          overdue: o.overdue ? 'true' : undefined,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const { action_items } = await new ApiClient({ url: o.url }).get<{ action_items: Wire[] }>(
        `/api/v1/action-items?${q}`,
      );
      if (o.json) printJson(action_items);
      else printItems(action_items);
    },
  );
  withCommon(group.command('teams').description('Unfinished and overdue action items per team')).action(
    async (o: CommonOpts) => {
      const { teams } = await new ApiClient({ url: o.url }).get<{ teams: TeamOpenItems[] }>(
        '/api/v1/action-items/teams',
      );
      if (o.json) return printJson(teams);
      if (teams.length === 0) return void process.stdout.write('No unfinished action items.\n');
      printTable(
        ['team', 'open', 'overdue'],
        teams.map((t) => [t.team ?? '(no team)', t.open, t.overdue]),
      );
    },
  );
  withCommon(
    group.command('show').description('One action item').argument('<id>', 'the action item id'),
  ).action(async (id: string, o: CommonOpts) => {
    const { action_item } = await new ApiClient({ url: o.url }).get<{ action_item: Wire }>(
      `/api/v1/action-items/${enc(id)}`,
    );
    if (o.json) printJson(action_item);
    else printItem(action_item);
  });
  withCommon(
    fieldOptions(
      group
        .command('add')
        .description('A new action item following from an incident')
        .argument('<incident>', 'the incident id')
        .argument('<title>', 'what is to be done'),
    ),
  ).action(async (incident: string, title: string, o: CommonOpts & FieldOpts) => {
    const { action_item } = await new ApiClient({ url: o.url }).post<{ action_item: Wire }>(
      '/api/v1/action-items',
      {
        incident_id: incident,
        ...fields({ ...o, title }),
      },
    );
    if (o.json) printJson(action_item);
    else process.stdout.write(`action item #${action_item.id} added to incident ${incident}\n`);
  });
  withCommon(
    fieldOptions(
      group
        .command('update')
        .description('Change an action item')
        .argument('<id>', 'the action item id')
        .option('--title <title>', 'a new title')
        .option('--status <status>', 'open, in_progress, done or cancelled'),
    ),
  ).action(async (id: string, o: CommonOpts & FieldOpts) => {
    const { action_item } = await new ApiClient({ url: o.url }).patch<{ action_item: Wire }>(
      `/api/v1/action-items/${enc(id)}`,
      fields(o),
    );
    if (o.json) printJson(action_item);
    else process.stdout.write(`action item #${action_item.id}: ${action_item.status}\n`);
  });
  withCommon(
    group
      .command('push')
      .description(
        'Push an action item to GitHub Issues or Jira (TOCSIN_GITHUB_* / TOCSIN_JIRA_* on the server); --status shows the push',
      )
      .argument('<id>', 'the action item id')
      .option('--tracker <tracker>', 'github or jira')
      .option('--status', 'show the latest push instead: its state, tries, last error, issue URL'),
  ).action(async (id: string, o: CommonOpts & { tracker?: string; status?: boolean }) => {
    const client = new ApiClient({ url: o.url });
    const url = `/api/v1/action-items/${enc(id)}/push`;
    if (!o.status && !o.tracker) throw new Error('give --tracker github|jira, or --status');
    const { push } = o.status
      ? await client.get<{ push: PushWire }>(url)
      : await client.post<{ push: PushWire }>(url, { tracker: o.tracker });
    if (o.json) return printJson(push);
    process.stdout.write(
      `action item ${id}: push to ${push.tracker} ${push.status}` +
        `${push.attempts > 0 ? ` after ${push.attempts} attempt(s)` : ''}` +
        `${push.url ? `: ${push.url}` : ''}${push.last_error && !push.url ? ` (${push.last_error})` : ''}\n`,
    );
  });
}

interface PushWire {
  tracker: string;
  status: string;
  attempts: number;
  last_error: string | null;
  url: string | null;
}

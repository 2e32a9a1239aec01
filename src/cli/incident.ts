import type { Command } from 'commander';
import { describeEvent } from '../domain/incidents/describe-event.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, type Json, pairs, withCommon } from './common.ts';
import { registerIncidentApprovals } from './incident-approvals.ts';
import { formatTable, printJson, printNextPage, printTable } from './output.ts';
import { registerIncidentPages } from './page.ts';

// `tocsin incident …`: talks to a server (--url or TOCSIN_URL, token from TOCSIN_TOKEN) through the
// same API as everyone else. The view helpers below are pure so the readable output is tested.

interface IncidentJson {
  id: string;
  title: string;
  severity: string;
  type?: string | null;
  state: string;
  plan_name: string;
  plan_version: number;
  channel_name: string;
  correlation_id: string;
  service: string | null;
  summary: string;
  impact: string;
  resolution?: string;
  declared_at: string;
  resolved_at: string | null;
  created_by: string;
  mitigation: { steps: string[]; risk: string; rollback: string; agreed_by: string[] } | null;
}

export interface IncidentDetailJson {
  incident: IncidentJson;
  links: Record<string, string>;
  targets: { target: string; due_at: string; met_at: string | null; status: string }[];
  roles: { role: string; user: string }[];
  responders: { responder: string; user: string | null; source: string }[];
  hypotheses: { id: string; statement: string; status: string; result: string }[];
  checklists: {
    name: string;
    items: { id: string; text: string; done_at: string | null; done_by: string | null }[];
  }[];
  updates: {
    audience: string;
    status: string;
    bodies: Record<string, string>;
    published_at: string | null;
  }[];
  timeline: { at: string; kind: string; actor_name: string; data: Json }[];
  /** Linked incidents (absent from servers before §3.10). */
  related?: RelatedJson[];
}

interface RelatedJson {
  id: string;
  title: string;
  state: string;
  severity: string;
}

/** "2026-03-02 10:05Z": minutes are the resolution anyone reads in a terminal. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** The readable view of `tocsin incident show`. */
export function formatIncident(d: IncidentDetailJson): string {
  const i = d.incident;
  const out: string[] = [];
  const section = (title: string, body: string) => out.push('', title, body);
  out.push(`#${i.id} ${i.title}  [${[i.severity, i.type, i.state].filter(Boolean).join(' · ')}]`);
  out.push(
    `plan ${i.plan_name}@${i.plan_version} · declared ${shortTime(i.declared_at)} by ${i.created_by}` +
      (i.resolved_at ? ` · resolved ${shortTime(i.resolved_at)}` : ''),
  );
  out.push(
    `channel #${i.channel_name} · correlation ${i.correlation_id}${i.service ? ` · service ${i.service}` : ''}`,
  );
  if (i.summary) out.push(`summary: ${i.summary}`);
  if (i.impact) out.push(`impact: ${i.impact}`);
  if (i.resolution) out.push(`resolution: ${i.resolution}`);
  for (const [name, url] of Object.entries(d.links)) out.push(`${name}: ${url}`);
  if (d.targets.length > 0) {
    section(
      'Targets',
      formatTable(
        ['target', 'due', 'met', 'status'],
        d.targets.map((t) => [t.target, shortTime(t.due_at), shortTime(t.met_at), t.status]),
      ),
    );
  }
  section(
    'Roles',
    d.roles.length > 0
      ? formatTable(
          ['role', 'user'],
          d.roles.map((r) => [r.role, r.user]),
        )
      : '(none assigned)',
  );
  if (d.responders.length > 0) {
    section(
      'Responders',
      formatTable(
        ['responder', 'user', 'source'],
        d.responders.map((r) => [r.responder, r.user, r.source]),
      ),
    );
  }
  if (i.mitigation) {
    const m = i.mitigation;
    section(
      'Mitigation',
      [
        ...m.steps.map((s, n) => `${n + 1}. ${s}`),
        ...(m.risk ? [`risk: ${m.risk}`] : []),
        ...(m.rollback ? [`rollback: ${m.rollback}`] : []),
        ...(m.agreed_by.length > 0 ? [`agreed by: ${m.agreed_by.join(', ')}`] : []),
      ].join('\n'),
    );
  }
  if (d.hypotheses.length > 0) {
    section(
      'Hypotheses',
      d.hypotheses.map((h) => `[${h.status}] ${h.statement}${h.result ? ` — ${h.result}` : ''}`).join('\n'),
    );
  }
  for (const list of d.checklists) {
    section(
      `Checklist: ${list.name}`,
      list.items.map((it) => `[${it.done_at ? 'x' : ' '}] ${it.text}  (item ${it.id})`).join('\n'),
    );
  }
  if (d.related && d.related.length > 0) {
    section(
      'Related',
      formatTable(
        ['incident', 'title', 'severity', 'state'],
        d.related.map((r) => [`#${r.id}`, r.title, r.severity, r.state]),
      ),
    );
  }
  section(
    'Timeline',
    formatTable(
      ['at', 'who', 'what'],
      d.timeline.map((e) => [shortTime(e.at), e.actor_name, describeEvent(e.kind, e.data)]),
    ),
  );
  return out.join('\n');
}

const path = (id: string, rest = '') => `/api/v1/incidents/${encodeURIComponent(id)}${rest}`;

function printIncidentLine(i: IncidentJson): void {
  process.stdout.write(
    `#${i.id} ${i.title} [${[i.severity, i.type, i.state].filter(Boolean).join(' · ')}]\n`,
  );
}

/** Runs a mutation and prints the incident it returns (JSON with --json). */
async function mutate(opts: CommonOpts, method: 'post' | 'patch', url: string, body: Json): Promise<void> {
  const client = new ApiClient({ url: opts.url });
  const res =
    method === 'post'
      ? await client.post<{ incident: IncidentJson }>(url, body)
      : await client.patch<{ incident: IncidentJson }>(url, body);
  if (opts.json) printJson(res.incident);
  else printIncidentLine(res.incident);
}

export function registerIncident(program: Command): void {
  const incident = program.command('incident').description('Declare, inspect and drive incidents');
  registerIncidentPages(incident);
  registerIncidentApprovals(incident);

  withCommon(
    incident
      .command('declare <title>')
      .description('Declare an incident')
      .option(
        '-s, --severity <id>',
        'a severity of the plan (omitted: only when the plan sets unknownSeverity: highest)',
      )
      .option('-p, --plan <name>', 'plan (default: the only one)')
      .option('-t, --type <id>', 'an incident type of the plan (types[].id), e.g. security')
      .option('--summary <text>')
      .option('--impact <text>')
      .option('--service <name>')
      .option('--customer-facing', 'customers are affected')
      .option('--label <key=value>', 'a label (repeatable)', collect)
      .option('--correlation-id <id>')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  npx tocsin incident declare "Checkout is failing" --severity SEV1 --service shop\n' +
          '  npx tocsin incident declare "Payouts delayed" -s SEV2 -p creator-platform --customer-facing --label region=eu\n' +
          '  npx tocsin incident declare "Leaked API key" -s SEV2 --type security',
      ),
  ).action(
    async (
      title: string,
      o: CommonOpts & {
        severity?: string;
        plan?: string;
        type?: string;
        summary?: string;
        impact?: string;
        service?: string;
        customerFacing?: boolean;
        label?: string[];
        correlationId?: string;
      },
    ) => {
      const client = new ApiClient({ url: o.url });
      const body: Json = {
        title,
        severity: o.severity,
        ...(o.plan ? { plan: o.plan } : {}),
        ...(o.type ? { type: o.type } : {}),
        ...(o.summary ? { summary: o.summary } : {}),
        ...(o.impact ? { impact: o.impact } : {}),
        ...(o.service ? { service: o.service } : {}),
        ...(o.customerFacing ? { customer_facing: true } : {}),
        ...(o.label ? { labels: pairs(o.label, '--label') } : {}),
        ...(o.correlationId ? { correlation_id: o.correlationId } : {}),
      };
      const { incident: created } = await client.post<{ incident: IncidentJson }>('/api/v1/incidents', body);
      if (o.json) printJson(created);
      else
        process.stdout.write(`declared #${created.id} ${created.title} · channel #${created.channel_name}\n`);
    },
  );

  withCommon(
    incident
      .command('list')
      .description('List incidents, newest first')
      .option('--state <state>', 'open, resolved or all', 'open')
      .option('--severity <id>')
      .option('--type <id>', 'only incidents of this type')
      .option('--plan <name>')
      .option('--limit <n>', 'how many', '50')
      .option('--cursor <next>', 'the page after the one that printed this cursor'),
  ).action(
    async (
      o: CommonOpts & {
        state: string;
        severity?: string;
        type?: string;
        plan?: string;
        limit: string;
        cursor?: string;
      },
    ) => {
      const query = new URLSearchParams({ state: o.state, limit: o.limit });
      if (o.severity) query.set('severity', o.severity);
      if (o.type) query.set('type', o.type);
      if (o.plan) query.set('plan', o.plan);
      if (o.cursor) query.set('cursor', o.cursor);
      const { incidents, next } = await new ApiClient({ url: o.url }).get<{
        incidents: IncidentJson[];
        next?: string | null;
      }>(`/api/v1/incidents?${query}`);
      printNextPage(next);
      if (o.json) return printJson(incidents);
      printTable(
        ['id', 'severity', 'type', 'state', 'title', 'declared', 'plan'],
        incidents.map((i) => [
          i.id,
          i.severity,
          i.type ?? '',
          i.state,
          i.title,
          shortTime(i.declared_at),
          i.plan_name,
        ]),
      );
    },
  );

  withCommon(
    incident.command('show <id>').description('Show an incident with targets, roles and timeline'),
  ).action(async (id: string, o: CommonOpts) => {
    const detail = await new ApiClient({ url: o.url }).get<IncidentDetailJson>(path(id));
    if (o.json) printJson(detail);
    else process.stdout.write(`${formatIncident(detail)}\n`);
  });

  withCommon(
    incident
      .command('ack <id>')
      .description('Acknowledge an incident: stops its paging escalations (nobody else is paged)')
      .addHelpText(
        'after',
        '\nExamples:\n  npx tocsin incident ack 12\n  npx tocsin incident ack 12 --json\n' +
          'The Acknowledge link in a page email or push, and an SMS reply with its code, do the same.',
      ),
  ).action((id: string, o: CommonOpts) => mutate(o, 'post', path(id, '/acknowledge'), {}));

  withCommon(
    incident
      .command('resolve <id>')
      .description('Resolve an incident')
      .option('-r, --resolution <text>', 'what fixed it'),
  ).action((id: string, o: CommonOpts & { resolution?: string }) =>
    mutate(o, 'post', path(id, '/resolve'), o.resolution ? { resolution: o.resolution } : {}),
  );

  withCommon(
    incident
      .command('tick <id> <item>')
      .description(
        'Tick a checklist item (a runbook step, a verification check …) off, or back on with --undo',
      )
      .option('--undo', 'mark it not done')
      .addHelpText(
        'after',
        '\nExamples:\n  npx tocsin incident show 12          # lists each item with its number\n' +
          '  npx tocsin incident tick 12 57\n  npx tocsin incident tick 12 57 --undo --json',
      ),
  ).action(async (id: string, item: string, o: CommonOpts & { undo?: boolean }) => {
    const res = await new ApiClient({ url: o.url }).patch<{
      item: { id: string; text: string; done_at: unknown };
    }>(path(id, `/checklist/${encodeURIComponent(item)}`), { done: !o.undo });
    if (o.json) printJson(res.item);
    else process.stdout.write(`[${res.item.done_at ? 'x' : ' '}] ${res.item.text}\n`);
  });

  withCommon(incident.command('note <id> <text...>').description('Add a note to the timeline')).action(
    async (id: string, words: string[], o: CommonOpts) => {
      const { event } = await new ApiClient({ url: o.url }).post<{ event: Json }>(path(id, '/notes'), {
        text: words.join(' '),
      });
      if (o.json) printJson(event);
      else process.stdout.write(`noted on #${id}\n`);
    },
  );

  for (const [verb, description] of [
    ['link', 'Mark two incidents as related (shown on both, in both timelines; a repeat changes nothing)'],
    ['unlink', 'Remove the link between two incidents'],
  ] as const) {
    withCommon(
      incident
        .command(`${verb} <id> <other>`)
        .description(description)
        .addHelpText(
          'after',
          `\nExamples:\n  tocsin incident ${verb} 12 15\n  tocsin incident ${verb} 12 15 --json | jq -r '.related[].id'\n`,
        ),
    ).action(async (id: string, other: string, o: CommonOpts) => {
      const api = new ApiClient({ url: o.url });
      const answer =
        verb === 'link'
          ? await api.post<{ changed: boolean; related: RelatedJson[] }>(path(id, '/links'), {
              incident_id: other,
            })
          : await api.delete<{ changed: boolean; related: RelatedJson[] }>(
              path(id, `/links/${encodeURIComponent(other)}`),
            );
      if (o.json) printJson(answer);
      else {
        const done = verb === 'link' ? 'linked to' : 'unlinked from';
        const already = verb === 'link' ? 'already linked to' : 'was not linked to';
        process.stdout.write(`#${id} ${answer.changed ? done : already} #${other}\n`);
      }
    });
  }

  withCommon(
    incident
      .command('merge <id>')
      .description(
        'Merge a duplicate incident into another: its alerts move there, and it is resolved as merged',
      )
      .requiredOption('--into <other>', 'the incident that takes it over')
      .option('--reason <text>', 'why (shown in both timelines)')
      .addHelpText(
        'after',
        '\nExamples:\n  tocsin incident merge 15 --into 12\n  tocsin incident merge 15 --into 12 --reason "same outage" --json\n',
      ),
  ).action(async (id: string, o: CommonOpts & { into: string; reason?: string }) => {
    const { incident: merged } = await new ApiClient({ url: o.url }).post<{ incident: IncidentJson }>(
      path(id, '/merge'),
      { into: o.into, ...(o.reason ? { reason: o.reason } : {}) },
    );
    if (o.json) printJson(merged);
    else process.stdout.write(`#${id} merged into #${o.into} and ${merged.state}\n`);
  });

  withCommon(
    incident
      .command('affected <id> [emails...]')
      .description(
        'Record customers the incident affects by email (a plan group with customers: affected reaches them, e.g. the post-incident email); without addresses, list them',
      )
      .addHelpText(
        'after',
        '\nExamples:\n  tocsin incident affected 12 ana@example.com ben@example.com\n  tocsin incident affected 12 --json | jq -r .emails[]\n',
      ),
  ).action(async (id: string, emails: string[], o: CommonOpts) => {
    const api = new ApiClient({ url: o.url });
    const answer =
      emails.length > 0
        ? await api.post<{ added?: number; emails: string[] }>(path(id, '/affected-users'), { emails })
        : await api.get<{ added?: number; emails: string[] }>(path(id, '/affected-users'));
    if (o.json) printJson(answer);
    else if (emails.length > 0)
      process.stdout.write(`${answer.added ?? 0} added; ${answer.emails.length} on #${id}\n`);
    else process.stdout.write(answer.emails.map((e) => `${e}\n`).join(''));
  });

  withCommon(
    incident
      .command('severity <id> <severity>')
      .description('Change the severity (a reason is required)')
      .requiredOption('-r, --reason <text>', 'why'),
  ).action((id: string, severity: string, o: CommonOpts & { reason: string }) =>
    mutate(o, 'post', path(id, '/severity'), { severity, reason: o.reason }),
  );

  withCommon(
    incident
      .command('urgency <id> <urgency>')
      .description('Raise a low-urgency incident to high: it then pages fully from the first step')
      .option('-r, --reason <text>', 'why (kept in the timeline)')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  npx tocsin incident urgency 42 high\n' +
          '  npx tocsin incident urgency 42 high -r "customers are affected after all" --json',
      ),
  ).action((id: string, urgency: string, o: CommonOpts & { reason?: string }) =>
    mutate(o, 'post', path(id, '/urgency'), { urgency, ...(o.reason ? { reason: o.reason } : {}) }),
  );

  withCommon(
    incident
      .command('type <id> <type>')
      .description(
        'Change the incident type (a type of the plan, or "none" to clear it; a reason is required)',
      )
      .requiredOption('-r, --reason <text>', 'why')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  npx tocsin incident type 42 security -r "the outage was an intrusion"\n' +
          '  npx tocsin incident type 42 none -r "not a security matter after all" --json',
      ),
  ).action((id: string, type: string, o: CommonOpts & { reason: string }) =>
    mutate(o, 'post', path(id, '/type'), { type: type === 'none' ? null : type, reason: o.reason }),
  );

  withCommon(
    incident
      .command('transition <id> <state>')
      .description(
        "Move the incident to another lifecycle state; out of the resolved state it is reopened (if the plan's lifecycle allows it)",
      )
      .option('-r, --reason <text>'),
  ).action(async (id: string, state: string, o: CommonOpts & { reason?: string }) => {
    const before = await new ApiClient({ url: o.url }).get<{
      incident: IncidentJson & { resolved_at?: unknown };
    }>(path(id, ''));
    await mutate(o, 'post', path(id, '/transition'), {
      to: state,
      ...(o.reason ? { reason: o.reason } : {}),
    });
    // Leaving the resolved state reopens the incident (recorded so on its timeline): never silently.
    if (!o.json && before.incident.resolved_at && before.incident.state !== state) {
      process.stdout.write(
        `#${id} was resolved: it is reopened (recorded on its timeline and in the audit log)\n`,
      );
    }
  });

  withCommon(incident.command('assign <id> <role> <user>').description('Assign a role to a user')).action(
    async (id: string, role: string, user: string, o: CommonOpts) => {
      const { assignment } = await new ApiClient({ url: o.url }).post<{
        assignment: { role: string; user: string; previous: string | null };
      }>(path(id, '/roles'), { role, user });
      if (o.json) printJson(assignment);
      else
        process.stdout.write(
          `${assignment.role}: ${assignment.user}${assignment.previous ? ` (was ${assignment.previous})` : ''}\n`,
        );
    },
  );

  withCommon(
    incident
      .command('update <id>')
      .description('Publish an update; external updates need text in every language of the plan')
      .option('--external', 'for the status page and customers (default: internal)')
      .option('-m, --message <text>', 'the text in the plan language given by --lang')
      .option('--lang <code>', 'language of --message', 'en')
      .option('--body <lang=text>', 'text in one language (repeatable)', collect)
      .option(
        '--status <state>',
        'the update’s own status (identified, monitoring …); default: the incident’s state',
      )
      .option(
        '--next-update <when>',
        'when the next update comes (45m, or an ISO date-time): reminders follow it instead of the cadence',
      ),
  ).action(
    async (
      id: string,
      o: CommonOpts & {
        external?: boolean;
        message?: string;
        lang: string;
        body?: string[];
        status?: string;
        nextUpdate?: string;
      },
    ) => {
      const bodies = { ...(o.message ? { [o.lang]: o.message } : {}), ...pairs(o.body, '--body') };
      const { update } = await new ApiClient({ url: o.url }).post<{ update: Json }>(path(id, '/updates'), {
        audience: o.external ? 'external' : 'internal',
        bodies,
        ...(o.status ? { status: o.status } : {}),
        ...(o.nextUpdate !== undefined ? { next_update: o.nextUpdate } : {}),
      });
      if (o.json) printJson(update);
      else process.stdout.write(`${String(update.audience)} update ${String(update.status)} on #${id}\n`);
    },
  );

  withCommon(
    incident
      .command('edit <id>')
      .description("Edit an incident's title, summary, impact or service")
      .option('--title <text>')
      .option('--summary <text>')
      .option('--impact <text>')
      .option('--service <name>'),
  ).action(
    (id: string, o: CommonOpts & { title?: string; summary?: string; impact?: string; service?: string }) =>
      mutate(o, 'patch', path(id), {
        ...(o.title !== undefined ? { title: o.title } : {}),
        ...(o.summary !== undefined ? { summary: o.summary } : {}),
        ...(o.impact !== undefined ? { impact: o.impact } : {}),
        ...(o.service !== undefined ? { service: o.service } : {}),
      }),
  );
}

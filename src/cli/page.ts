import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, type Json, withCommon } from './common.ts';
import { shortTime } from './incident.ts';
import { printJson, printTable } from './output.ts';

// `tocsin page …`, `tocsin policy …` and `tocsin incident pages`: thin clients of /api/v1/pages,
// /api/v1/escalation-policies and /api/v1/incidents/:id/pages.

/** Messages of a page history as a table: who, how, when queued, when sent, delivered or not. */
function printMessages(messages: Json[]): void {
  printTable(
    [
      'id',
      'user',
      'channel',
      'to',
      'escalation',
      'step',
      'round',
      'status',
      'queued',
      'due',
      'sent',
      'error',
    ],
    messages.map((m) => [
      String(m.id),
      String(m.user ?? ''),
      String(m.channel),
      String(m.destination),
      String(m.escalation ?? ''),
      // Step and round apart: "2/1" read as "step 2 of 1".
      m.step === null ? '' : String(m.step),
      m.round === null ? '' : String(m.round),
      String(m.status),
      shortTime(m.queued_at as string),
      m.due_at ? shortTime(m.due_at as string) : '',
      m.sent_at ? shortTime(m.sent_at as string) : '',
      String(m.error ?? '').slice(0, 40),
    ]),
  );
}

export function registerPage(program: Command): void {
  withCommon(
    program
      .command('page <target>')
      .description(
        'Page now: user:<handle>, schedule:<name> (whoever is on call), team:<name> or policy:<name>',
      )
      .requiredOption('-m, --message <text>', 'what the page says')
      .option('--incident <id>', 'the incident the page is about'),
  ).action(async (target: string, o: CommonOpts & { message: string; incident?: string }) => {
    const client = new ApiClient({ url: o.url });
    const body: Json = { target: target.includes(':') ? target : `user:${target}`, message: o.message };
    if (o.incident) body.incident = o.incident;
    const res = await client.post<{ page: Json }>('/api/v1/pages', body);
    if (o.json) return printJson(res.page);
    const page = await client.get<{ page: Json & { messages: Json[] } }>(
      `/api/v1/pages/${enc(String(res.page.id))}`,
    );
    process.stdout.write(
      `page ${String(res.page.id)} ${String(res.page.status)}: ${page.page.messages.length} message(s) queued\n`,
    );
    if (page.page.messages.length > 0) printMessages(page.page.messages);
  });

  const policy = program
    .command('policy')
    .description('Escalation policies: who is paged, in order, until someone acknowledges');
  withCommon(policy.command('list').description('List escalation policies')).action(async (o: CommonOpts) => {
    const res = await new ApiClient({ url: o.url }).get<{ policies: Json[] }>('/api/v1/escalation-policies');
    if (o.json) return printJson(res.policies);
    printTable(
      ['name', 'steps', 'repeat', 'description'],
      res.policies.map((p) => [
        String(p.name),
        (p.steps as Json[]).length,
        String(p.repeat),
        String(p.description),
      ]),
    );
  });
  withCommon(policy.command('show <name>').description('Show a policy step by step')).action(
    async (name: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).get<{ policy: Json }>(
        `/api/v1/escalation-policies/${enc(name)}`,
      );
      if (o.json) return printJson(res.policy);
      const steps = res.policy.steps as {
        users: string[];
        schedules: string[];
        teams: string[];
        escalateAfter: string;
      }[];
      process.stdout.write(
        `${String(res.policy.name)} — ${String(res.policy.description)} (repeat ${String(res.policy.repeat)})\n`,
      );
      steps.forEach((s, i) => {
        const who = [
          ...s.users,
          ...s.schedules.map((x) => `schedule:${x}`),
          ...s.teams.map((x) => `team:${x}`),
        ];
        process.stdout.write(`  ${i + 1}. ${who.join(', ')}  → next after ${s.escalateAfter}\n`);
      });
    },
  );
}

/** `tocsin incident pages <id>` and `tocsin incident responder <id> <who>`, on the incident group. */
export function registerIncidentPages(incident: Command): void {
  withCommon(
    incident
      .command('responder <id> <who>')
      .description(
        'Add a responder and page them: a plan group or role, schedule:<name> (whoever is on call), team:<name> or user:<handle>',
      )
      .option('--reason <text>', 'why they are asked to join', ''),
  ).action(async (id: string, who: string, o: CommonOpts & { reason: string }) => {
    const res = await new ApiClient({ url: o.url }).post<{ responder: Json }>(
      `/api/v1/incidents/${enc(id)}/responders`,
      { responder: who, reason: o.reason },
    );
    if (o.json) return printJson(res.responder);
    process.stdout.write(`${who} added to incident ${id} and paged (tocsin incident pages ${id})\n`);
  });

  withCommon(
    incident.command('pages <id>').description('Page history: who was notified, how, when, delivered?'),
  ).action(async (id: string, o: CommonOpts) => {
    const res = await new ApiClient({ url: o.url }).get<{ escalations: Json[]; messages: Json[] }>(
      `/api/v1/incidents/${enc(id)}/pages`,
    );
    if (o.json) return printJson(res);
    printTable(
      ['escalation', 'kind', 'status', 'step', 'round', 'next', 'ended by'],
      res.escalations.map((e) => [
        String(e.source),
        String(e.kind),
        String(e.status),
        `${String(e.step)}/${String(e.steps)}`,
        `${String(e.round)}/${Number(e.repeat) + 1}`,
        e.next_at ? shortTime(e.next_at as string) : '',
        String(e.ended_by ?? ''),
      ]),
    );
    process.stdout.write('\n');
    printMessages(res.messages);
  });
}

import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, enc, type Json, pairs, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// `tocsin update …`: review an incident's updates (approve, request changes, edit, publish); thin
// client of /api/v1/incidents/:id/updates. Posting one is `tocsin incident update`.

const path = (incident: string, update?: string) =>
  `/api/v1/incidents/${enc(incident)}/updates${update ? `/${enc(update)}` : ''}`;

export function registerUpdate(program: Command): void {
  const group = program
    .command('update')
    .description('Review incident updates: list, approve, request changes, edit, publish')
    .addHelpText(
      'after',
      `
Examples:
  tocsin update list 12
  tocsin update approve 12 34 --comment "Good to go"
  tocsin update request-changes 12 34 --comment "Say when the next update comes"
  tocsin update edit 12 34 --body "en=Uploads fail for some creators." --body "am=…"
  tocsin update publish 12 34
  tocsin update list 12 --json | jq '.[] | select(.status == "pending_approval") | .id'`,
    );

  withCommon(
    group.command('list <incident>').description('Updates of an incident with their approval state'),
  ).action(async (incident: string, o: CommonOpts) => {
    const res = await new ApiClient({ url: o.url }).get<{ updates: Json[] }>(path(incident));
    if (o.json) return printJson(res.updates);
    printTable(
      ['id', 'audience', 'status', 'rev', 'approved by', 'missing', 'languages'],
      res.updates.map((u) => {
        const a = u.approval as { missing: string[]; approved: { by: string; requirement: string }[] };
        return [
          String(u.id),
          String(u.audience),
          String(u.status),
          String(u.revision),
          a.approved.map((x) => `${x.by} (${x.requirement})`).join(', '),
          [...a.missing, ...(u.missing_languages as string[]).map((l) => `text:${l}`)].join(', '),
          Object.keys(u.bodies as Json).join(', '),
        ];
      }),
    );
  });
  withCommon(
    group
      .command('approve <incident> <update>')
      .description('Approve for the plan role or group you stand for; the last approval publishes')
      .option('--comment <text>')
      .option('--as <role-or-group>', 'which requirement, when you stand for several'),
  ).action(async (incident: string, update: string, o: CommonOpts & { comment?: string; as?: string }) => {
    const res = await new ApiClient({ url: o.url }).post<{
      update: Json;
      approved_for: string;
      published: boolean;
    }>(`${path(incident, update)}/approve`, {
      ...(o.comment ? { comment: o.comment } : {}),
      ...(o.as ? { as: o.as } : {}),
    });
    if (o.json) return printJson(res);
    process.stdout.write(`approved for ${res.approved_for}${res.published ? '; published' : ''}\n`);
  });
  withCommon(
    group
      .command('request-changes <incident> <update>')
      .description('Ask for changes; the update waits until it is edited')
      .requiredOption('--comment <text>', 'what must change'),
  ).action(async (incident: string, update: string, o: CommonOpts & { comment: string }) => {
    const res = await new ApiClient({ url: o.url }).post<Json>(`${path(incident, update)}/request-changes`, {
      comment: o.comment,
    });
    if (o.json) return printJson(res);
    process.stdout.write(`changes requested on update ${update}\n`);
  });
  withCommon(
    group
      .command('edit <incident> <update>')
      .description('Change the text or status of a waiting update (approvals are asked for again)')
      .option('--body <lang=text>', 'text in one language (repeatable)', collect)
      .option('--status <state>', 'the update’s own status, e.g. identified'),
  ).action(async (incident: string, update: string, o: CommonOpts & { body?: string[]; status?: string }) => {
    const bodies = pairs(o.body, '--body');
    const res = await new ApiClient({ url: o.url }).patch<{ update: Json }>(path(incident, update), {
      ...(Object.keys(bodies).length > 0 ? { bodies } : {}),
      ...(o.status ? { status: o.status } : {}),
    });
    if (o.json) return printJson(res.update);
    process.stdout.write(`update ${update} is now revision ${String(res.update.revision)}\n`);
  });
  withCommon(group.command('publish <incident> <update>').description('Publish an approved update')).action(
    async (incident: string, update: string, o: CommonOpts) => {
      const res = await new ApiClient({ url: o.url }).post<{ update: Json }>(
        `${path(incident, update)}/publish`,
      );
      if (o.json) return printJson(res.update);
      process.stdout.write(`update ${update} ${String(res.update.status)}\n`);
    },
  );
}

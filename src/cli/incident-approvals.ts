import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// `tocsin incident approvals|approve|reject`: approval requests on gated incident actions (plan
// approvals.actions), through /api/v1/incidents/:id/approvals. A request is opened by asking for the
// gated action itself (`tocsin incident resolve 12` answers 409 naming it).

interface ApprovalJson {
  id: string;
  summary: string;
  status: string;
  requested_by: string;
  missing: string[];
  votes: { by: string; verdict: string }[];
}

const base = (id: string) => `/api/v1/incidents/${enc(id)}/approvals`;

function line(a: ApprovalJson): string {
  const votes = a.votes.map((v) => `${v.by} ${v.verdict}`).join(', ');
  const missing = a.missing.length > 0 ? `; missing ${a.missing.join('; ')}` : '';
  return `request ${a.id}: ${a.summary} asked by ${a.requested_by}: ${a.status}${votes ? ` (${votes})` : ''}${missing}`;
}

export function registerIncidentApprovals(incident: Command): void {
  withCommon(
    incident
      .command('approvals <id>')
      .description('List the approval requests of an incident (gated actions: resolve, severity, states)')
      .addHelpText(
        'after',
        '\nExamples:\n  tocsin incident approvals 12\n  tocsin incident approvals 12 --json',
      ),
  ).action(async (id: string, o: CommonOpts) => {
    const { approvals } = await new ApiClient({ url: o.url }).get<{ approvals: ApprovalJson[] }>(base(id));
    if (o.json) printJson(approvals);
    else
      printTable(
        ['id', 'action', 'status', 'asked by', 'missing'],
        approvals.map((a) => [a.id, a.summary, a.status, a.requested_by, a.missing.join('; ')]),
      );
  });
  for (const verb of ['approve', 'reject'] as const) {
    withCommon(
      incident
        .command(`${verb} <id> <request>`)
        .description(
          verb === 'approve'
            ? 'Approve a gated action (the approval that completes the quorum carries it out as asked)'
            : 'Reject a gated action: the request closes and nothing happens',
        )
        .option('-c, --comment <text>', 'why')
        .addHelpText(
          'after',
          `\nExamples:\n  tocsin incident approvals 12\n  tocsin incident ${verb} 12 3 --comment "checked the dashboards"\n` +
            `  tocsin incident ${verb} 12 3 --json`,
        ),
    ).action(async (id: string, request: string, o: CommonOpts & { comment?: string }) => {
      const { approval } = await new ApiClient({ url: o.url }).post<{ approval: ApprovalJson }>(
        `${base(id)}/${enc(request)}/${verb}`,
        o.comment ? { comment: o.comment } : {},
      );
      if (o.json) printJson(approval);
      else process.stdout.write(`${line(approval)}\n`);
    });
  }
}

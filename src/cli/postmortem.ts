import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type Postmortem, toMarkdown } from '../domain/postmortems/postmortem.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, enc, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// tocsin postmortem list|show|edit|review|publish|draft|meeting|export: the post-mortem of an incident,
// named by the incident's id. Tocsin drafts it when the incident resolves (if the plan requires one).

type Wire = Omit<Postmortem, 'due_at' | 'created_at' | 'updated_at' | 'published_at'> & {
  due_at: string | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
};

interface MeetingWire {
  starts_at: string;
  ends_at: string;
  attendees: { name: string; email: string | null; handle: string | null }[];
  /** Only when just scheduled. */
  invitations?: number;
}

const path = (id: string) => `/api/v1/postmortems/${enc(id)}`;

/** The wire shape back into dates, so the domain's Markdown export renders it. */
function fromWire(w: Wire): Postmortem {
  return {
    ...w,
    due_at: w.due_at ? new Date(w.due_at) : null,
    created_at: new Date(w.created_at),
    updated_at: new Date(w.updated_at),
    published_at: w.published_at ? new Date(w.published_at) : null,
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `--section id=text`, `--section id=@file.md` or `--section id=-` (stdin) → section id → Markdown. */
async function sectionEdits(values: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new Error(`--section ${v}: write ID=TEXT, ID=@FILE or ID=- (stdin)`);
    const id = v.slice(0, eq);
    const value = v.slice(eq + 1);
    out[id] =
      value === '-'
        ? await readStdin()
        : value.startsWith('@')
          ? await readFile(value.slice(1), 'utf8')
          : value;
  }
  return out;
}

function printSummary(p: Wire): void {
  process.stdout.write(
    `${p.title}\nincident ${p.incident_id} · ${p.status.replace('_', ' ')}` +
      `${p.due_at ? ` · due ${p.due_at}` : ''}${p.overdue ? ' · OVERDUE' : ''}\n\n`,
  );
  printTable(
    ['section', 'title', 'words'],
    p.sections.map((s) => [s.id, s.title, s.body.split(/\s+/).filter(Boolean).length]),
  );
}

function statusCommand(pm: Command, name: string, to: string, description: string): void {
  withCommon(pm.command(name).description(description).argument('<incident>', 'the incident id')).action(
    async (id: string, o: CommonOpts) => {
      const { postmortem } = await new ApiClient({ url: o.url }).post<{ postmortem: Wire }>(
        `${path(id)}/status`,
        {
          to,
        },
      );
      if (o.json) printJson(postmortem);
      else process.stdout.write(`post-mortem of incident ${id}: ${postmortem.status.replace('_', ' ')}\n`);
    },
  );
}

export function registerPostmortem(program: Command): void {
  const pm = program
    .command('postmortem')
    .description('Post-mortems: drafted when an incident resolves, edited, reviewed, published')
    .addHelpText(
      'after',
      `
Examples:
  npx tocsin postmortem list --overdue
  npx tocsin postmortem show 42
  npx tocsin postmortem show 42 --section timeline
  npx tocsin postmortem edit 42 --section five-whys=@whys.md --section lessons="Alert on queue depth"
  npx tocsin postmortem review 42 && npx tocsin postmortem publish 42
  npx tocsin postmortem export 42 > postmortem-42.md
  npx tocsin postmortem export 42 --format pdf -o postmortem-42.pdf
  npx tocsin postmortem meeting 42 --at 2026-03-04T10:00:00Z --invite board@example.com
  npx tocsin postmortem meeting 42                     # when, and who is invited`,
    );
  withCommon(
    pm
      .command('list')
      .description('Post-mortems, newest incident first')
      .option('--overdue', 'only those past their due date and not published')
      .option('--status <status>', 'draft, in_review or published'),
  ).action(async (o: CommonOpts & { overdue?: boolean; status?: string }) => {
    const q = new URLSearchParams({
      ...(o.overdue ? { overdue: 'true' } : {}),
      ...(o.status ? { status: o.status } : {}),
    });
    const { postmortems } = await new ApiClient({ url: o.url }).get<{ postmortems: Wire[] }>(
      `/api/v1/postmortems?${q}`,
    );
    if (o.json) return printJson(postmortems);
    if (postmortems.length === 0) return void process.stdout.write('No post-mortems.\n');
    printTable(
      ['incident', 'status', 'due', 'overdue', 'title'],
      postmortems.map((p) => [p.incident_id, p.status, p.due_at ?? '-', p.overdue ? 'yes' : '', p.title]),
    );
  });
  withCommon(
    pm
      .command('show')
      .description("An incident's post-mortem: its sections, or one section's Markdown")
      .argument('<incident>', 'the incident id')
      .option('--section <id>', 'print this section whole'),
  ).action(async (id: string, o: CommonOpts & { section?: string }) => {
    const { postmortem } = await new ApiClient({ url: o.url }).get<{ postmortem: Wire }>(path(id));
    if (o.json) return printJson(postmortem);
    if (!o.section) return printSummary(postmortem);
    const section = postmortem.sections.find((s) => s.id === o.section);
    if (!section)
      throw new Error(`no section "${o.section}" (${postmortem.sections.map((s) => s.id).join(', ')})`);
    process.stdout.write(`${section.body}\n`);
  });
  withCommon(
    pm
      .command('edit')
      .description('Replace the Markdown of sections (others keep theirs), or the title')
      .argument('<incident>', 'the incident id')
      .option('--section <id=text>', 'ID=TEXT, ID=@FILE or ID=- (stdin); repeatable', collect, [])
      .option('--title <title>', 'a new title')
      .option(
        '--root-cause <category>',
        "the root-cause category (one of the plan's postmortem.rootCauseCategories, if it lists any)",
      )
      .option('--clear-root-cause', 'remove the root-cause category')
      .addHelpText(
        'after',
        '\nExamples:\n  tocsin postmortem edit 42 --section five-whys=@whys.md\n' +
          '  tocsin postmortem edit 42 --root-cause deployment\n',
      ),
  ).action(
    async (
      id: string,
      o: CommonOpts & { section: string[]; title?: string; rootCause?: string; clearRootCause?: boolean },
    ) => {
      const sections = await sectionEdits(o.section);
      const rootCause = o.clearRootCause ? null : o.rootCause;
      const { postmortem } = await new ApiClient({ url: o.url }).patch<{ postmortem: Wire }>(path(id), {
        ...(o.title ? { title: o.title } : {}),
        ...(rootCause !== undefined ? { root_cause_category: rootCause } : {}),
        ...(Object.keys(sections).length > 0 ? { sections } : {}),
      });
      const saved = [
        ...Object.keys(sections),
        ...(o.title ? ['title'] : []),
        ...(rootCause !== undefined ? ['root cause'] : []),
      ];
      if (o.json) printJson(postmortem);
      else process.stdout.write(`post-mortem of incident ${id} saved (${saved.join(', ')})\n`);
    },
  );
  statusCommand(pm, 'review', 'in_review', 'Send the draft for review');
  statusCommand(pm, 'draft', 'draft', 'Send a post-mortem in review back to draft');
  statusCommand(pm, 'publish', 'published', 'Publish a reviewed post-mortem (managers)');
  withCommon(
    pm
      .command('meeting')
      .description(
        "Show the post-mortem meeting, or schedule/move it (--at): the plan's attendees for the severity, and those invited, get a calendar invitation by email",
      )
      .argument('<incident>', 'the incident id')
      .option('--at <time>', 'when it starts (ISO 8601, e.g. 2026-03-04T10:00:00Z)')
      .option('--duration <duration>', "how long, e.g. 45m (default: the plan's, else 1h)")
      .option(
        '--invite <who>',
        'a user handle or email address besides the plan’s attendees; repeatable',
        collect,
        [],
      )
      .option('--note <text>', 'added to the invitation'),
  ).action(
    async (
      id: string,
      o: CommonOpts & { at?: string; duration?: string; invite: string[]; note?: string },
    ) => {
      const client = new ApiClient({ url: o.url });
      const { meeting } = o.at
        ? await client.put<{ meeting: MeetingWire }>(`${path(id)}/meeting`, {
            starts_at: o.at,
            ...(o.duration ? { duration: o.duration } : {}),
            ...(o.invite.length > 0 ? { invite: o.invite } : {}),
            ...(o.note ? { note: o.note } : {}),
          })
        : await client.get<{ meeting: MeetingWire }>(`${path(id)}/meeting`);
      if (o.json) return printJson(meeting);
      process.stdout.write(
        `post-mortem meeting of incident ${id}: ${meeting.starts_at} – ${meeting.ends_at}\n`,
      );
      if (meeting.invitations !== undefined)
        process.stdout.write(`invitations sent: ${meeting.invitations}\n`);
      printTable(
        ['attendee', 'email'],
        meeting.attendees.map((a) => [a.handle ?? a.name, a.email ?? '(no email: not invited)']),
      );
    },
  );
  withCommon(
    pm
      .command('export')
      .description('The whole post-mortem as Markdown (default) or PDF')
      .argument('<incident>', 'the incident id')
      .option('--format <format>', 'markdown or pdf', 'markdown')
      .option('-o, --output <file>', 'write to this file instead of standard output'),
  ).action(async (id: string, o: CommonOpts & { format: string; output?: string }) => {
    if (o.format !== 'markdown' && o.format !== 'pdf') {
      throw new Error(`--format ${o.format}: write markdown or pdf`);
    }
    const client = new ApiClient({ url: o.url });
    if (o.format === 'pdf') {
      // A PDF is bytes: to a file, or to a pipe, never onto a terminal.
      if (!o.output && process.stdout.isTTY) throw new Error('a PDF goes to a file: add -o FILE (or a pipe)');
      const pdf = await client.getBytes(`${path(id)}/export?format=pdf`);
      if (o.output) {
        await writeFile(o.output, pdf);
        process.stderr.write(`wrote ${o.output} (${pdf.length} bytes)\n`);
      } else process.stdout.write(pdf);
      return;
    }
    const { postmortem } = await client.get<{ postmortem: Wire }>(path(id));
    if (o.json) return printJson(postmortem);
    const text = toMarkdown(fromWire(postmortem));
    if (o.output) {
      await writeFile(o.output, text);
      process.stderr.write(`wrote ${o.output}\n`);
    } else process.stdout.write(text);
  });
}

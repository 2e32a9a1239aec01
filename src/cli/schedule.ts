import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, type Json, withCommon } from './common.ts';
import { shortTime } from './incident.ts';
import { printJson, printTable } from './output.ts';

// `tocsin schedule …` and `tocsin oncall`: thin clients of /api/v1/schedules and /api/v1/oncall.

interface ShiftJson {
  start: string;
  end: string;
  users: string[];
  layer: string | null;
  override: boolean;
}

interface OnCallJson {
  schedule: string;
  time_zone: string;
  users: string[];
  shift: { start: string; end: string; layer: string | null; override: boolean } | null;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function source(s: { layer: string | null; override: boolean }): string {
  if (s.layer === null) return 'override';
  return s.override ? `${s.layer} (swap)` : s.layer;
}

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('On-call schedules: layers, shifts, overrides (define them with `tocsin apply`)');
  withCommon(schedule.command('list').description('List schedules')).action(async (o: CommonOpts) => {
    const { schedules } = await new ApiClient({ url: o.url }).get<{ schedules: Json[] }>('/api/v1/schedules');
    if (o.json) return printJson(schedules);
    printTable(
      ['name', 'time zone', 'team', 'layers', 'description'],
      schedules.map((s) => [
        String(s.name),
        String(s.time_zone),
        s.team as string,
        (s.layers as Json[]).map((l) => String(l.name)).join(', '),
        s.description as string,
      ]),
    );
  });
  withCommon(schedule.command('show <name>').description('Show a schedule and who is on call now')).action(
    async (name: string, o: CommonOpts) => {
      const client = new ApiClient({ url: o.url });
      const { schedule: s } = await client.get<{ schedule: Json }>(`/api/v1/schedules/${enc(name)}`);
      const { on_call } = await client.get<{ on_call: OnCallJson }>(`/api/v1/schedules/${enc(name)}/on-call`);
      if (o.json) return printJson({ schedule: s, on_call });
      process.stdout.write(
        `schedule ${String(s.name)}  zone ${String(s.time_zone)}  team ${String(s.team ?? '—')}\n`,
      );
      process.stdout.write(
        `on call now: ${on_call.users.join(', ') || 'nobody'}${on_call.shift ? ` until ${shortTime(on_call.shift.end)}` : ''}\n\n`,
      );
      printTable(
        ['layer', 'type', 'handoff', 'start', 'participants', 'restrictions'],
        (s.layers as Json[]).map((l) => [
          String(l.name),
          l.type === 'custom' ? `custom ${String(l.shift_length)}` : String(l.type),
          `${l.handoff_day ? `${String(l.handoff_day)} ` : ''}${String(l.handoff)}`,
          String(l.start),
          (l.participants as string[]).join(' → '),
          (l.restrictions as { days: string[]; start: string; end: string }[])
            .map((r) => `${r.days.join(',')} ${r.start}-${r.end}`)
            .join('; '),
        ]),
      );
    },
  );
  withCommon(
    schedule
      .command('shifts <name>')
      .description('Final shifts (layers, restrictions and overrides applied), at most 90 days')
      .option('--from <time>', 'ISO 8601 (default now)')
      .option('--to <time>', 'ISO 8601 (default 7 days after --from)')
      .addHelpText(
        'after',
        '\nExample:\n  tocsin schedule shifts primary --from 2026-03-01T00:00:00Z --to 2026-03-15T00:00:00Z',
      ),
  ).action(async (name: string, o: CommonOpts & { from?: string; to?: string }) => {
    const res = await new ApiClient({ url: o.url }).get<{ time_zone: string; shifts: ShiftJson[] }>(
      `/api/v1/schedules/${enc(name)}/shifts${query({ from: o.from, to: o.to })}`,
    );
    if (o.json) return printJson(res);
    printTable(
      ['start', 'end', 'on call', 'from'],
      res.shifts.map((s) => [shortTime(s.start), shortTime(s.end), s.users.join(', '), source(s)]),
    );
  });
  withCommon(
    schedule
      .command('feed-token')
      .description('A calendar feed token (shown once; replaces your previous one) and the feed URLs')
      .option('--user <handle>', 'whose (admins only; default: the token’s own user)'),
  ).action(async (o: CommonOpts & { user?: string }) => {
    const client = new ApiClient({ url: o.url });
    const user = o.user ?? String((await client.get<{ user: Json }>('/api/v1/me')).user.handle);
    const { feed_token } = await client.post<{ feed_token: Json }>(`/api/v1/users/${enc(user)}/feed-token`);
    if (o.json) return printJson(feed_token);
    process.stdout.write(
      `token ${String(feed_token.token)}\nyour shifts  ${String(feed_token.user_feed_url)}\na schedule   ${String(feed_token.schedule_feed_url)}\n`,
    );
  });

  const override = schedule.command('override').description('Overrides: someone else on call for a while');
  withCommon(
    override
      .command('add <schedule>')
      .description(
        'Put a user on call for a window: instead of everyone, or with --replaces instead of one user',
      )
      .requiredOption('--user <handle>', 'who is on call')
      .option('--replaces <handle>', 'a swap: take over only this user’s time')
      .requiredOption('--start <time>', 'ISO 8601')
      .requiredOption('--end <time>', 'ISO 8601')
      .addHelpText(
        'after',
        '\nExample:\n  tocsin schedule override add primary --user hanna --replaces dawit --start 2026-03-06T18:00:00+03:00 --end 2026-03-07T09:00:00+03:00',
      ),
  ).action(
    async (name: string, o: CommonOpts & { user: string; replaces?: string; start: string; end: string }) => {
      const body: Json = { user: o.user, start: o.start, end: o.end };
      if (o.replaces) body.replaces = o.replaces;
      const { override: created } = await new ApiClient({ url: o.url }).post<{ override: Json }>(
        `/api/v1/schedules/${enc(name)}/overrides`,
        body,
      );
      if (o.json) return printJson(created);
      process.stdout.write(`override ${String(created.id)} created\n`);
    },
  );
  withCommon(
    override
      .command('list <schedule>')
      .description('Overrides overlapping a window (default: the next 30 days)')
      .option('--from <time>', 'ISO 8601 (default now)')
      .option('--to <time>', 'ISO 8601 (default 30 days after --from)'),
  ).action(async (name: string, o: CommonOpts & { from?: string; to?: string }) => {
    const { overrides } = await new ApiClient({ url: o.url }).get<{ overrides: Json[] }>(
      `/api/v1/schedules/${enc(name)}/overrides${query({ from: o.from, to: o.to })}`,
    );
    if (o.json) return printJson(overrides);
    printTable(
      ['id', 'start', 'end', 'user', 'replaces', 'by'],
      overrides.map((x) => [
        String(x.id),
        shortTime(x.start as string),
        shortTime(x.end as string),
        String(x.user),
        (x.replaces as string | null) ?? 'everyone',
        String(x.created_by),
      ]),
    );
  });
  withCommon(override.command('rm <schedule> <id>').description('Delete an override')).action(
    async (name: string, id: string, o: CommonOpts) => {
      await new ApiClient({ url: o.url }).request(
        'DELETE',
        `/api/v1/schedules/${enc(name)}/overrides/${enc(id)}`,
      );
      if (o.json) return printJson({ deleted: id });
      process.stdout.write(`override ${id} deleted\n`);
    },
  );

  withCommon(
    program
      .command('oncall')
      .description('Who is on call now (or at --at), in every schedule or one')
      .option('--schedule <name>')
      .option('--at <time>', 'ISO 8601 (default now)')
      .addHelpText(
        'after',
        '\nExamples:\n  npx tocsin oncall\n  npx tocsin oncall --schedule primary --at 2026-03-07T03:00:00+03:00 --json',
      ),
  ).action(async (o: CommonOpts & { schedule?: string; at?: string }) => {
    const { on_call } = await new ApiClient({ url: o.url }).get<{ on_call: OnCallJson[] }>(
      `/api/v1/oncall${query({ schedule: o.schedule, at: o.at })}`,
    );
    if (o.json) return printJson(on_call);
    printTable(
      ['schedule', 'on call', 'until', 'from'],
      on_call.map((c) => [
        c.schedule,
        c.users.join(', ') || 'nobody',
        c.shift ? shortTime(c.shift.end) : '',
        c.shift ? source(c.shift) : '',
      ]),
    );
  });
}

import type { Command } from 'commander';
import { formatMatcher, type Matcher, parseMatcher } from '../domain/maintenance/maintenance.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, type Json, withCommon } from './common.ts';
import { shortTime } from './incident.ts';
import { printJson, printTable } from './output.ts';

// `tocsin silence …` and `tocsin maintenance …`: thin clients of /api/v1/silences and
// /api/v1/maintenance-windows. Matchers are written as amtool writes them: env=prod, job!=x,
// alertname=~"Disk.*".
interface CreateOpts extends CommonOpts {
  service?: string;
  matcher?: string[];
  start?: string;
  end?: string;
  duration?: string;
  comment: string;
}

function matchersOf(texts: string[]): Matcher[] {
  return texts.map((text, i) => {
    const m = parseMatcher(text);
    if (!m)
      throw new Error(`matcher ${i + 1} "${text}": use name=value, name!=value, name=~regex or name!~regex`);
    return m;
  });
}

const KINDS = [
  {
    command: 'silence',
    title: 'Silences',
    path: '/api/v1/silences',
    one: 'silence',
    many: 'silences',
  },
  {
    command: 'maintenance',
    title: 'Maintenance windows',
    path: '/api/v1/maintenance-windows',
    one: 'maintenance_window',
    many: 'maintenance_windows',
  },
] as const;

function describeOne(s: Json): string {
  const matchers = (s.matchers as Matcher[]).map(formatMatcher).join(' ');
  return `${String(s.id)}  ${String(s.state)}  ${s.service ? `service ${String(s.service)} ` : ''}${matchers}\n`;
}

export function registerMaintenance(program: Command): void {
  for (const kind of KINDS) {
    const group = program
      .command(kind.command)
      .description(`${kind.title}: alerts they match are recorded, open no incident and page nobody`);
    withCommon(
      group
        .command('create [matchers...]')
        .description(`Create one; matchers like env=prod or alertname=~"Disk.*" (all must match)`)
        .option('--service <name>', 'only this service’s alerts')
        .option(
          '--matcher <m>',
          'a matcher (repeatable; same as the arguments)',
          (v: string, p: string[] = []) => [...p, v],
        )
        .option('--start <time>', 'ISO time (default now)')
        .option('--end <time>', 'ISO time')
        .option('--duration <d>', 'e.g. 2h (instead of --end)')
        .requiredOption('--comment <text>', 'why'),
    ).action(async (args: string[], o: CreateOpts) => {
      const body: Json = { matchers: matchersOf([...args, ...(o.matcher ?? [])]), comment: o.comment };
      if (o.service) body.service = o.service;
      if (o.start) body.starts_at = o.start;
      if (o.end) body.ends_at = o.end;
      if (o.duration) body.duration = o.duration;
      if (!o.end && !o.duration) body.duration = '1h';
      const res = await new ApiClient({ url: o.url }).post<Record<string, Json>>(kind.path, body);
      const created = res[kind.one] ?? {};
      if (o.json) printJson(created);
      else process.stdout.write(`${kind.command} ${describeOne(created)}`);
    });
    withCommon(
      group
        .command('list')
        .description('List them, newest start first')
        .option('--state <state>', 'current|active|pending|expired|all', 'current')
        .option('--service <name>'),
    ).action(async (o: CommonOpts & { state: string; service?: string }) => {
      const q = new URLSearchParams({ state: o.state });
      if (o.service) q.set('service', o.service);
      const res = await new ApiClient({ url: o.url }).get<Record<string, Json[]>>(`${kind.path}?${q}`);
      const rows = res[kind.many] ?? [];
      if (o.json) return printJson(rows);
      printTable(
        ['id', 'state', 'service', 'matchers', 'starts', 'ends', 'by', 'comment'],
        rows.map((s) => [
          String(s.id),
          String(s.state),
          (s.service as string | null) ?? '*',
          (s.matchers as Matcher[]).map(formatMatcher).join(' '),
          shortTime(s.starts_at as string),
          shortTime((s.ended_at ?? s.ends_at) as string),
          String(s.created_by),
          String(s.comment).slice(0, 50),
        ]),
      );
    });
    withCommon(group.command('end <id>').description('End it now (a scheduled one is cancelled)')).action(
      async (id: string, o: CommonOpts) => {
        const res = await new ApiClient({ url: o.url }).post<Record<string, Json>>(
          `${kind.path}/${enc(id)}/end`,
        );
        const ended = res[kind.one] ?? {};
        if (o.json) printJson(ended);
        else process.stdout.write(`${kind.command} ${describeOne(ended)}`);
      },
    );
  }
}

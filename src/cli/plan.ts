import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { planPagingGaps } from '../domain/paging/paging-gaps.ts';
import type { PlanVersionSummary } from '../domain/plans/list-plan-versions.ts';
import type { PlanSummary } from '../domain/plans/list-plans.ts';
import { lifecycleOf, loadPlan, type Plan, statusPageStateOf } from '../domain/plans/plan.ts';
import {
  type PlanReadiness,
  planReadiness,
  readinessLines,
  type ServerReadiness,
} from '../domain/plans/readiness.ts';
import { chatRouteGaps } from '../domain/plans/recipient-gaps.ts';
import type { Workflow, WorkflowAction } from '../domain/workflows/workflow-schema.ts';
import { formatSourceError, type SourceError } from '../lib/yaml-source.ts';
import { chatRoutesFromEnv } from '../notify/providers/chat-webhook.ts';
import { ApiClient } from './client.ts';
import { formatTable, printJson, printTable } from './output.ts';
import { registerReplay } from './replay.ts';

// tocsin plan validate|show|list|versions. validate and show read files without a server; show,
// list and versions talk to one with --url (or TOCSIN_URL) for stored plans.

export interface ValidationResult {
  file: string;
  ok: boolean;
  name?: string;
  errors: SourceError[];
  /** Fields the plan uses that Tocsin only stores (docs/plan-reference.md, column "Tocsin"). */
  warnings: SourceError[];
}

const PLAN_FILE = /\.(ya?ml|json)$/i;

/** The files named on the command line; a directory stands for the plan files directly in it. */
export function expandPaths(paths: string[]): string[] {
  return paths.flatMap((p) => {
    try {
      if (statSync(p).isDirectory()) {
        return readdirSync(p)
          .filter((f) => PLAN_FILE.test(f))
          .sort()
          .map((f) => join(p, f));
      }
    } catch {
      // A missing path is reported by validateFile, with the others.
    }
    return [p];
  });
}

function readPlanFile(file: string): {
  plan?: Plan | undefined;
  errors: SourceError[];
  warnings?: SourceError[] | undefined;
} {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    return { errors: [{ file, line: 1, col: 1, message: reason }] };
  }
  return loadPlan(text, file);
}

function toResult(file: string, read: ReturnType<typeof readPlanFile>): ValidationResult {
  return read.plan
    ? { file, ok: true, name: read.plan.metadata.name, errors: [], warnings: read.warnings ?? [] }
    : { file, ok: false, errors: read.errors, warnings: [] };
}

export function validateFile(file: string): ValidationResult {
  return toResult(file, readPlanFile(file));
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function describeOk(file: string, plan: Plan): string {
  return (
    `${file}: OK (plan ${plan.metadata.name}: ${count(plan.severities.length, 'severity', 'severities')}, ` +
    `${count(plan.roles.length, 'role', 'roles')}, ${count(plan.workflows.length, 'workflow', 'workflows')})`
  );
}

/** Validates every file; prints OK lines to stdout and file:line:col errors to stderr. Returns the exit code. */
export function runValidate(paths: string[], opts: { json?: boolean | undefined }): number {
  const results: ValidationResult[] = [];
  for (const file of expandPaths(paths)) {
    const read = readPlanFile(file);
    const result = toResult(file, read);
    results.push(result);
    if (opts.json) continue;
    if (read.plan) process.stdout.write(`${describeOk(file, read.plan)}\n`);
    for (const e of [...result.errors, ...result.warnings]) process.stderr.write(`${formatSourceError(e)}\n`);
  }
  if (opts.json) printJson(results);
  return results.every((r) => r.ok) ? 0 : 1;
}

/**
 * validate, then warn about what would go wrong at run time: severities whose incidents page nobody,
 * chat channels this server's configuration does not route; and print each plan's readiness report.
 */
export function runCheck(
  paths: string[],
  opts: { json?: boolean | undefined },
  now = new Date(),
  server = new Map<string, ServerReadiness>(),
): number {
  const results: (ValidationResult & { paging_warnings: string[]; readiness?: PlanReadiness })[] = [];
  for (const file of expandPaths(paths)) {
    const read = readPlanFile(file);
    // Groups of no one are file:line:col warnings of the plan itself; chat routes depend on this server.
    const pagingWarnings = read.plan
      ? [...planPagingGaps(read.plan), ...chatRouteGaps(read.plan, chatRoutesFromEnv())]
      : [];
    const readiness = read.plan
      ? withServer(planReadiness(read.plan, now), server.get(read.plan.metadata.name))
      : undefined;
    results.push({
      ...toResult(file, read),
      paging_warnings: pagingWarnings,
      ...(readiness && { readiness }),
    });
    if (opts.json) continue;
    if (read.plan) process.stdout.write(`${describeOk(file, read.plan)}\n`);
    for (const line of readiness ? readinessLines(readiness) : []) process.stdout.write(`  ${line}\n`);
    for (const e of [...read.errors, ...(read.warnings ?? [])])
      process.stderr.write(`${formatSourceError(e)}\n`);
    for (const w of pagingWarnings) process.stderr.write(`${file}: warning: ${w}\n`);
  }
  if (opts.json) printJson(results);
  return results.every((r) => r.ok) ? 0 : 1;
}

/** The file's readiness (severities, review) with what the server knows of the plan (services, schedules, exercises). */
function withServer(
  file: PlanReadiness,
  server: ServerReadiness | undefined,
): PlanReadiness | ServerReadiness {
  return server ? { ...server, severities: file.severities, review: file.review } : file;
}

/**
 * `plan check --url`: asks the server for each plan's readiness (GET /api/v1/plans/:name/readiness)
 * before the check; a plan the server does not have is said on stderr and checked from its file alone.
 */
export async function runCheckWithServer(
  paths: string[],
  opts: { json?: boolean | undefined; url: string },
): Promise<number> {
  const client = new ApiClient({ url: opts.url });
  const server = new Map<string, ServerReadiness>();
  for (const file of expandPaths(paths)) {
    const name = readPlanFile(file).plan?.metadata.name;
    if (!name || server.has(name)) continue;
    try {
      server.set(
        name,
        await client.get<ServerReadiness>(`/api/v1/plans/${encodeURIComponent(name)}/readiness`),
      );
    } catch (e) {
      process.stderr.write(
        `${file}: warning: no server readiness for plan ${name}: ${(e as Error).message}\n`,
      );
    }
  }
  return runCheck(paths, opts, new Date(), server);
}

// --- plan show -------------------------------------------------------------------------------------

const dash = (v: string | undefined | null) => v ?? '-';

function whenText(w: Workflow): string {
  if (typeof w.when === 'string') return w.when;
  if ('target' in w.when) return `${w.when.before} before ${w.when.target} is due`;
  const since =
    w.when.since === 'state' && w.when.state
      ? `entering ${w.when.state}`
      : w.when.since === 'role_assigned'
        ? `${w.when.role} assigned`
        : w.when.since === 'scheduled'
          ? `the time in field ${w.when.field}`
          : w.when.since;
  return `${w.when.elapsed} after ${since}${w.when.repeat ? ', repeating' : ''}`;
}

function ifText(w: Workflow): string {
  if (!w.if) return '';
  return Object.entries(w.if)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

function actionText(action: WorkflowAction): string {
  const [[kind, arg]] = Object.entries(action) as [[string, unknown]];
  if (typeof arg === 'string') return `${kind} ${arg}`;
  if (Array.isArray(arg)) return `${kind} ${arg.join(', ')}`;
  const parts = Object.entries(arg as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${Array.isArray(v) ? v.join('+') : String(v)}`);
  return `${kind} ${parts.join(' ')}`;
}

function goalsText(goals: NonNullable<Plan['goals']>): string {
  const parts: string[] = [];
  for (const metric of ['mttd', 'mtta', 'mttr'] as const) {
    const g = goals[metric];
    if (!g) continue;
    const per = Object.entries(g.bySeverity).map(([s, d]) => `${s} ${d}`);
    parts.push(`${metric} ${[g.target, ...per].filter(Boolean).join(', ')}`);
  }
  const max = Object.entries(goals.maxPerQuarter).map(([s, n]) => `${s} ≤${n}`);
  if (max.length > 0) parts.push(`per quarter ${max.join(', ')}`);
  return parts.join('; ') || '-';
}

function section(title: string, body: string): string {
  return `\n${title}\n${body}\n`;
}

/** A plan, readably: what a responder or reviewer needs to see at a glance. */
export function formatPlan(plan: Plan, heading: string): string {
  const life = lifecycleOf(plan);
  const bh = plan.businessHours;
  const lines = [
    heading,
    ...(plan.metadata.description ? [plan.metadata.description] : []),
    '',
    `Languages:      ${plan.languages.join(', ')}`,
    `Business hours: ${bh.days.join(',')} ${bh.start}-${bh.end} ${bh.timeZone}`,
    `Status page:    ${plan.statusPage.when === 'customer-facing' ? 'customer-facing incidents' : plan.statusPage.when}`,
    `Approvals:      external: ${plan.approvals.external.join(' + ') || 'none'}; internal: ${plan.approvals.internal.join(' + ') || 'none'}`,
    `Channel:        ${plan.channel?.name ?? '(default)'}`,
    ...(plan.warRoom
      ? [
          `War room:       ${plan.warRoom.tool ?? 'yes'} for ${plan.warRoom.severities.join(', ') || 'every severity'}`,
        ]
      : []),
    ...(plan.goals ? [`Goals:          ${goalsText(plan.goals)}`] : []),
  ];
  let out = `${lines.join('\n')}\n`;
  out += section(
    'Severities',
    formatTable(
      [
        'id',
        'title',
        'hours',
        'ack',
        'triage',
        '1st update',
        'status page',
        'mitigate',
        'resolve',
        'internal',
        'external',
        'post-mortem',
        'page',
      ],
      plan.severities.map((s) => [
        s.id,
        s.title,
        s.response.hours,
        dash(s.targets.acknowledge),
        dash(s.targets.triage),
        dash(s.targets.firstUpdate),
        dash(s.targets.statusPage),
        dash(s.targets.mitigate),
        dash(s.targets.resolve),
        s.cadence.internal
          ? `${s.cadence.remindAfter?.internal ? `${s.cadence.remindAfter.internal}-` : ''}${s.cadence.internal}`
          : '-',
        dash(s.cadence.external),
        s.postmortem.required ? `within ${s.postmortem.due ?? '?'}` : '-',
        s.page
          ? [s.page.to, ...(s.page.channels ?? []), s.page.chat, s.page.email].filter(Boolean).join(' ')
          : '-',
      ]),
    ),
  );
  if (plan.roles.length > 0) {
    out += section(
      'Roles',
      formatTable(
        ['id', 'title', 'required', 'default', 'fallback', 'duties'],
        plan.roles.map((r) => [
          r.id,
          r.short ? `${r.title} (${r.short})` : r.title,
          r.required ? 'yes' : '',
          dash(r.assignTo),
          r.fallback.join(' → '),
          r.duties.join('; '),
        ]),
      ),
    );
  }
  const states = life.states.map((id) => {
    const shown = statusPageStateOf(plan, id);
    return shown === id ? id : `${id} (${shown})`;
  });
  out += section('Lifecycle', `  ${states.join(' → ')}`);
  if (plan.escalation?.tiers.length) {
    out += section(
      'Escalation',
      formatTable(
        ['tier', 'after', 'notify'],
        plan.escalation.tiers.map((t) => [
          t.id,
          t.after,
          t.notify.join(', ') + (t.alsoWhen ? ` (or ${t.alsoWhen})` : ''),
        ]),
      ),
    );
  }
  if (plan.verification) {
    const v = plan.verification;
    const checks = v.checks.map((c) => {
      const bounds = [
        c.above !== undefined ? `> ${c.above}` : '',
        c.below !== undefined ? `< ${c.below}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      return `  - ${c.title}${c.metric ? ` [${c.metric}${bounds ? ` ${bounds}${c.unit ?? ''}` : ''}]` : ''}`;
    });
    out += section(
      `Verification${v.monitorFor ? ` (monitor for ${v.monitorFor})` : ''}`,
      checks.join('\n') || '  -',
    );
  }
  if (plan.templates.length > 0) {
    out += section(
      'Templates',
      formatTable(
        ['id', 'kind', 'languages', 'state'],
        plan.templates.map((t) => [t.id, t.kind, Object.keys(t.body).join(', '), dash(t.state)]),
      ),
    );
  }
  if (plan.workflows.length > 0) {
    out += section(
      'Workflows',
      formatTable(
        ['name', 'when', 'if', 'then'],
        plan.workflows.map((w) => [w.name, whenText(w), ifText(w), w.then.map(actionText).join('; ')]),
      ),
    );
  }
  return out;
}

interface StoredPlan {
  name: string;
  version: number;
  current_version: number;
  created_at: string;
  created_by: string;
  plan: Plan;
}

async function runShow(
  target: string,
  opts: { version?: string; json?: boolean; url?: string },
): Promise<number> {
  // A plan name never contains "/" or a file extension, so anything that does is a path.
  const fromFile = existsSync(target) || PLAN_FILE.test(target) || target.includes('/');
  if (fromFile) {
    if (opts.version) throw new Error('--version reads a stored plan; a file has no versions');
    const loaded = readPlanFile(target);
    if (!loaded.plan) {
      for (const e of loaded.errors) process.stderr.write(`${formatSourceError(e)}\n`);
      return 1;
    }
    if (opts.json) printJson(loaded.plan);
    else process.stdout.write(formatPlan(loaded.plan, `Plan ${loaded.plan.metadata.name} (file ${target})`));
    return 0;
  }
  const client = new ApiClient({ url: opts.url });
  const query = opts.version ? `?version=${encodeURIComponent(opts.version)}` : '';
  const stored = await client.get<StoredPlan>(`/api/v1/plans/${encodeURIComponent(target)}${query}`);
  if (opts.json) {
    printJson(stored);
    return 0;
  }
  const heading =
    `Plan ${stored.name} version ${stored.version} of ${stored.current_version}` +
    ` (applied ${stored.created_at} by ${stored.created_by})`;
  process.stdout.write(formatPlan(stored.plan, heading));
  return 0;
}

export function registerPlan(program: Command): void {
  const plan = program
    .command('plan')
    .description('Check and read incident response plans (plan files: see docs/plan-reference.md)');

  plan
    .command('validate')
    .description('Check plan files; prints file:line:col: message for every error and exits 1 if any')
    .argument('<files...>', 'plan files, or directories of them')
    .option('--json', 'print a JSON array of {file, ok, name, errors}')
    .addHelpText('after', '\nExample:\n  tocsin plan validate examples/plans/\n')
    .action((files: string[], opts: { json?: boolean }) => {
      process.exitCode = runValidate(files, opts);
    });

  plan
    .command('check')
    .description(
      'Validate plan files, warn about what would go wrong at run time (severities whose incidents page nobody, groups of no one, chat channels with no route here) and print a readiness report (whom each severity pages, plan review due, exercises)',
    )
    .argument('<files...>', 'plan files, or directories of them')
    .option('--json', 'print a JSON array of {file, ok, name, errors, warnings, paging_warnings, readiness}')
    .option(
      '--url <url>',
      "also ask this Tocsin server for the plan's services (owner, runbook), schedule gaps in the next 14 days and last exercise",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  npx tocsin plan check examples/plans/minimal.yaml\n' +
        '  npx tocsin plan check examples/plans/ --url http://localhost:8080\n\n' +
        'The readiness report (stdout, under each OK line) says whom each severity pages and when the\n' +
        "plan's review is due (review.every after review.lastReviewed). With --url the server adds each\n" +
        'service of the plan with its owner (team or escalation policy) and the runbooks naming it, each\n' +
        "schedule's gaps (nobody on call) in the next 14 days, and the days since the last exercise.\n" +
        'Warnings go to stderr and do not change the exit code (1 only for errors). Chat channels are\n' +
        "checked against this environment's TOCSIN_CHAT_WEBHOOKS and TOCSIN_SLACK_BOT_TOKEN. `tocsin apply`\n" +
        'also warns about services whose incidents would page nobody.\n',
    )
    .action(async (files: string[], opts: { json?: boolean; url?: string }) => {
      process.exitCode = opts.url
        ? await runCheckWithServer(files, { ...opts, url: opts.url })
        : runCheck(files, opts);
    });

  plan
    .command('show')
    .description('Show a plan readably: from a file, or a stored plan by name from a server')
    .argument('<name-or-file>', 'a plan file (a path) or the name of a stored plan')
    .option('--version <n>', 'a stored version (default: the current one)')
    .option('--json', 'print the plan as JSON')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .addHelpText(
      'after',
      '\nExamples:\n  tocsin plan show examples/plans/story-generation.yaml\n' +
        '  tocsin plan show story-generation --version 2 --url http://localhost:8080\n',
    )
    .action(async (target: string, opts: { version?: string; json?: boolean; url?: string }) => {
      process.exitCode = await runShow(target, opts);
    });

  plan
    .command('list')
    .description('List the plans stored on a server')
    .option('--json', 'print JSON')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .action(async (opts: { json?: boolean; url?: string }) => {
      const { plans } = await new ApiClient({ url: opts.url }).get<{ plans: PlanSummary[] }>('/api/v1/plans');
      if (opts.json) printJson(plans);
      else
        printTable(
          ['name', 'version', 'severities', 'title', 'updated'],
          plans.map((p) => [
            p.name,
            p.current_version,
            p.severities.join(','),
            p.title,
            String(p.updated_at),
          ]),
        );
    });

  registerReplay(plan);

  plan
    .command('versions')
    .description("List a stored plan's versions, newest first")
    .argument('<name>', 'plan name')
    .option('--json', 'print JSON')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .action(async (name: string, opts: { json?: boolean; url?: string }) => {
      const { versions } = await new ApiClient({ url: opts.url }).get<{ versions: PlanVersionSummary[] }>(
        `/api/v1/plans/${encodeURIComponent(name)}/versions`,
      );
      if (opts.json) printJson(versions);
      else
        printTable(
          ['version', 'current', 'applied', 'by', 'digest'],
          versions.map((v) => [
            v.version,
            v.current ? '*' : '',
            String(v.created_at),
            v.created_by,
            v.digest.slice(0, 12),
          ]),
        );
    });
}

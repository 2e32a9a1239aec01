import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CommanderError } from 'commander';
import type { TestApp } from './helpers.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /**
   * Start the real binary (`bin/tocsin.js`) for every call, for tests about the process itself
   * (pipes, exit codes as the shell sees them). Otherwise the CLI runs in this process: the same
   * program and argv against the same server over loopback, about a CPU second cheaper per call.
   */
  process?: boolean;
}

/** Starts listening on a free loopback port and returns `tocsin(...args)` bound to that server. */
export async function cliAgainst(
  t: TestApp,
  options: CliOptions = {},
): Promise<(...args: string[]) => Promise<CliResult>> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  if (options.process) return (...args) => runProcess([...args, '--url', url], t.adminToken);
  const { runCli } = await import('../src/cli/run.ts');
  return (...args) =>
    inProcess(() => runCli([process.execPath, 'tocsin', ...args, '--url', url]), {
      TOCSIN_TOKEN: t.adminToken,
    });
}

/**
 * `tocsin(...args)` without a server, on the local store at `databaseUrl`, run in this process from
 * `cwd` (relative paths in argv and in what the CLI prints resolve there), as from a shell in `cwd`
 * with DATABASE_URL set and neither TOCSIN_URL nor TOCSIN_TOKEN.
 */
export async function cliLocal(
  databaseUrl: string,
  cwd: string,
): Promise<(...args: string[]) => Promise<CliResult>> {
  const { runCli } = await import('../src/cli/run.ts');
  return (...args) =>
    inProcess(() => inDirectory(cwd, () => runCli([process.execPath, 'tocsin', ...args])), {
      DATABASE_URL: databaseUrl,
    });
}

/** Runs `command` with `cwd` as the working directory, then goes back (vitest runs in forks: allowed). */
async function inDirectory<T>(cwd: string, command: () => Promise<T>): Promise<T> {
  const saved = process.cwd();
  process.chdir(cwd);
  try {
    return await command();
  } finally {
    process.chdir(saved);
  }
}

async function runProcess(args: string[], token: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_TOKEN: token };
  delete env.TOCSIN_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/tocsin.js'), ...args], {
      env,
      // A guard against a hung process, not a measure: generous for a busy 2-core machine.
      timeout: 110_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// In-process runs share process.stdout/stderr, exitCode and the environment: one at a time.
let queue: Promise<unknown> = Promise.resolve();

function inProcess(
  command: () => Promise<number | null>,
  env: Partial<Record<CliVariable, string>>,
): Promise<CliResult> {
  const result = queue.then(() => captured(command, env));
  queue = result.catch(() => {});
  return result;
}

/**
 * What the CLI reads from the environment to find its server or store: the server's two are unset
 * unless given (argv names the server); DATABASE_URL is set only for a local-store run.
 */
type CliVariable = 'TOCSIN_URL' | 'TOCSIN_TOKEN' | 'DATABASE_URL';
const cliVariables = (env: Partial<Record<CliVariable, string>>): CliVariable[] => [
  ...new Set<CliVariable>(['TOCSIN_URL', 'TOCSIN_TOKEN', ...(Object.keys(env) as CliVariable[])]),
];

/** Runs the command with stdout/stderr captured (as a pipe: not a TTY) and the CLI's environment. */
async function captured(
  command: () => Promise<number | null>,
  env: Partial<Record<CliVariable, string>>,
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = {
    out: process.stdout.write,
    err: process.stderr.write,
    tty: process.stderr.isTTY,
    exitCode: process.exitCode,
    exit: process.exit,
    env: cliVariables(env).map((name) => [name, process.env[name]] as const),
  };
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  process.stderr.isTTY = false;
  process.exitCode = undefined;
  // Commander exits the process itself for a subcommand's --help or usage error; here that would end
  // the test worker, so the exit ends the command instead, with its code (as runCli answers it).
  process.exit = ((code?: number | string | null) => {
    throw new CommanderError(Number(code ?? 0), 'tocsin.exit', '');
  }) as typeof process.exit;
  for (const name of cliVariables(env)) restoreEnv(name, env[name]);
  try {
    const code = await command();
    return { code: code ?? 0, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.stderr.isTTY = saved.tty;
    process.exitCode = saved.exitCode;
    process.exit = saved.exit;
    for (const [name, value] of saved.env) restoreEnv(name, value);
  }
}

function capture(into: string[]): typeof process.stdout.write {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

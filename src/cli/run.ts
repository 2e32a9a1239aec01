import { Command, CommanderError } from 'commander';
import { ConfigError, describeEnv } from '../config/env.ts';
import { VERSION } from '../version.ts';
import { ApiError } from './client.ts';
import { registerCommandsFor } from './lazy-commands.ts';
import { shouldExitAfterCommand } from './lifecycle.ts';

/** The `tocsin` command with what `argv` needs of its subcommands (lazy-commands.ts); a new one per run. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('tocsin')
    .description(
      'Tocsin runs your incident response plan: alerts, on call and paging, incidents, updates, a web console and a status page.',
    )
    .version(VERSION)
    .showHelpAfterError()
    .addHelpText(
      'after',
      `\nEnvironment:\n${describeEnv()
        .map((v) => `  ${v.name.padEnd(30)} ${v.description}`)
        .join('\n')}\n`,
    );
  // Options after a subcommand belong to it (plan show NAME --version N is not the program version).
  program.enablePositionalOptions();
  await registerCommandsFor(program, argv);
  program.exitOverride();
  return program;
}

/**
 * Runs one command line (process.argv shape) and answers the exit code, or null when the command
 * keeps the process running (serve). Errors are printed to stderr here, as the user sees them.
 */
export async function runCli(argv: readonly string[]): Promise<number | null> {
  try {
    await (await buildProgram(argv)).parseAsync([...argv]);
    return shouldExitAfterCommand() ? Number(process.exitCode ?? 0) : null;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError) {
      process.stderr.write(`tocsin: ${error.message}\n`);
      return 2;
    }
    const e = error as Error & { details?: { path: string; message: string }[] };
    process.stderr.write(`tocsin: ${error instanceof ApiError ? `${error.status} ` : ''}${e.message}\n`);
    for (const d of e.details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
    return 1;
  }
}

import { Command, CommanderError } from 'commander';
import { ApiError } from './cli/client.ts';
import { registerCommands } from './cli/commands.ts';
import { shouldExitAfterCommand } from './cli/lifecycle.ts';
import { exitWhenDrained } from './cli/output.ts';
import { ConfigError, describeEnv } from './config/env.ts';
import { VERSION } from './version.ts';

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
registerCommands(program);
program.exitOverride();

try {
  await program.parseAsync(process.argv);
  if (shouldExitAfterCommand()) await exitWhenDrained(Number(process.exitCode ?? 0));
} catch (error) {
  if (error instanceof CommanderError) await exitWhenDrained(error.exitCode);
  if (error instanceof ConfigError) {
    process.stderr.write(`tocsin: ${error.message}\n`);
    await exitWhenDrained(2);
  }
  const e = error as Error & { details?: { path: string; message: string }[] };
  process.stderr.write(`tocsin: ${error instanceof ApiError ? `${error.status} ` : ''}${e.message}\n`);
  for (const d of e.details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
  await exitWhenDrained(1);
}

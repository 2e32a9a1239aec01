import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { DatabaseClock } from '../db/clock.ts';
import { calibrateClock, openStore } from '../db/store.ts';
import { setUserPassword } from '../domain/auth/set-user-password.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { ApiClient, serverUrl } from './client.ts';

// `tocsin user set-password`: an admin sets a user's web console password. With a server (--url or
// TOCSIN_URL) through the API as the token's user; without, on the local store as the system — the
// way back in for an admin who lost their own password where email is not set up.

/** The password from stdin (never from the command line, where `ps` and shell history would show it). */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter, Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function setLocally(user: string, password: string | null): Promise<void> {
  const env = loadEnv();
  const store = await openStore({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.TOCSIN_DATA_DIR,
    poolSize: 2,
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  try {
    const clock = new DatabaseClock();
    await calibrateClock(store.db, clock);
    await setUserPassword({ ctx: makeCtx({ db: store.db, clock }, SYSTEM_ACTOR), input: { user, password } });
  } finally {
    await store.close();
  }
}

/** Adds `set-password` to the `user` command group (created here when no other file made it). */
export function registerUserPassword(program: Command): void {
  const user =
    program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('Users');
  user
    .command('set-password <user>')
    .description("Set a user's web console password, read from stdin (admins); ends their sessions")
    .option('--remove', 'remove the password instead (the user then signs in by single sign-on or a reset)')
    .option(
      '--url <url>',
      'Tocsin server (default TOCSIN_URL, token TOCSIN_TOKEN); without one, the local store',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  tocsin user set-password selam < password.txt         on the local store (TOCSIN_DATA_DIR or DATABASE_URL)
  printf %s "$PW" | tocsin user set-password selam --url https://tocsin.example.com   (with TOCSIN_TOKEN)
  tocsin user set-password selam --remove

The password needs at least 10 characters. Prefer an invitation (POST /api/v1/users/:id/invite), which
lets the person choose their own.`,
    )
    .action(async (handle: string, opts: { remove?: boolean; url?: string; json?: boolean }) => {
      const password = opts.remove ? null : await readPassword();
      if (serverUrl(opts)) {
        await new ApiClient({ url: opts.url }).request(
          'PUT',
          `/api/v1/users/${encodeURIComponent(handle)}/password`,
          {
            password,
          },
        );
      } else {
        await setLocally(handle, password);
      }
      const result = { user: handle, password: password === null ? 'removed' : 'set' };
      process.stdout.write(
        opts.json ? `${JSON.stringify(result)}\n` : `password ${result.password} for ${handle}\n`,
      );
    });
}

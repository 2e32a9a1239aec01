import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { printJson, printTable } from './output.ts';

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  user: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  state: string;
}

interface ServerOpts {
  url?: string;
  json?: boolean;
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('API tokens: list, create (shown once), revoke')
    .addHelpText(
      'after',
      '\nExamples:\n  tocsin token list\n  tocsin token create --name ci --expires-in 90d\n  tocsin token revoke 12\n  tocsin token list --user dawit --json   (admin)',
    );
  token
    .command('list')
    .description('List your API tokens (admin: --user for anyone’s); the tokens themselves are never shown')
    .option('--user <handle>', 'whose tokens (admin only)')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .option('--json', 'print JSON')
    .action(async (opts: ServerOpts & { user?: string }) => {
      const client = new ApiClient({ url: opts.url });
      const query = opts.user ? `?user=${encodeURIComponent(opts.user)}` : '';
      const { tokens } = await client.get<{ tokens: TokenView[] }>(`/api/v1/tokens${query}`);
      if (opts.json) return printJson(tokens);
      printTable(
        ['id', 'name', 'prefix', 'state', 'created', 'last used', 'expires'],
        tokens.map((t) => [t.id, t.name, t.prefix, t.state, t.created_at, t.last_used_at, t.expires_at]),
      );
    });
  token
    .command('create')
    .description('Create an API token (shown once) for yourself, or as admin for --user')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--user <handle>', 'owner (admin only)')
    .option('--expires-in <duration>', 'stop working after this long, e.g. 90d or 12h')
    .option('--expires-at <timestamp>', 'stop working at this instant (ISO 8601)')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .option('--json', 'print JSON')
    .action(
      async (opts: ServerOpts & { name: string; user?: string; expiresIn?: string; expiresAt?: string }) => {
        const client = new ApiClient({ url: opts.url });
        const { token: created } = await client.post<{ token: TokenView & { token: string } }>(
          '/api/v1/tokens',
          {
            name: opts.name,
            ...(opts.user ? { user: opts.user } : {}),
            ...(opts.expiresIn ? { expires_in: opts.expiresIn } : {}),
            ...(opts.expiresAt ? { expires_at: opts.expiresAt } : {}),
          },
        );
        if (opts.json) return printJson(created);
        const expiry = created.expires_at ? `, expires ${created.expires_at}` : '';
        process.stdout.write(
          `token ${created.id} for ${created.user} (${created.name}${expiry}), shown once:\n${created.token}\n`,
        );
      },
    );
  token
    .command('revoke <id>')
    .description('Revoke an API token (its id from `tocsin token list`): it stops working at once')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: ServerOpts) => {
      const client = new ApiClient({ url: opts.url });
      const { token: revoked } = await client.delete<{ token: TokenView }>(
        `/api/v1/tokens/${encodeURIComponent(id)}`,
      );
      if (opts.json) return printJson(revoked);
      process.stdout.write(`revoked token ${revoked.id} (${revoked.name}) of ${revoked.user}\n`);
    });
}

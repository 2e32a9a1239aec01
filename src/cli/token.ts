import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { printJson } from './output.ts';

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('Create an API token (shown once) for yourself, or as admin for --user')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--user <handle>', 'owner (admin only)')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; user?: string; url?: string; json?: boolean }) => {
      const client = new ApiClient({ url: opts.url });
      const { token: created } = await client.post<{ token: { token: string; user: string; name: string } }>(
        '/api/v1/tokens',
        { name: opts.name, ...(opts.user ? { user: opts.user } : {}) },
      );
      if (opts.json) printJson(created);
      else
        process.stdout.write(`token for ${created.user} (${created.name}), shown once:\n${created.token}\n`);
    });
}

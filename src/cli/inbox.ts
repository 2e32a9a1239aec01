import type { Command } from 'commander';
import type { InboxItem } from '../domain/inbox/inbox.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// tocsin inbox [--unread] [--full] | tocsin inbox read ID: your notifications in Tocsin itself. Every
// page lands there too, so it reaches you with no email, SMS or push provider configured.

type Wire = Omit<InboxItem, 'created_at' | 'read_at'> & { created_at: string; read_at: string | null };

function printItems(items: Wire[], full: boolean): void {
  if (items.length === 0) {
    process.stdout.write('Your inbox is empty.\n');
    return;
  }
  if (full) {
    for (const i of items) {
      process.stdout.write(
        `#${i.id} ${i.read_at ? '' : '(unread) '}${i.created_at}\n${i.title}\n\n${i.body}\n${'-'.repeat(40)}\n`,
      );
    }
    return;
  }
  printTable(
    ['id', 'when', 'unread', 'title', 'link'],
    items.map((i) => [i.id, i.created_at, i.read_at ? '' : '*', i.title, i.url]),
  );
}

export function registerInbox(program: Command): void {
  const inbox = withCommon(
    program
      .command('inbox')
      .description('Your notifications in Tocsin (every page lands here as well as on your own channels)')
      .option('--unread', 'only what you have not read')
      .option('--full', 'print each notification whole')
      .option('--limit <n>', 'how many, newest first', '50'),
  )
    .addHelpText(
      'after',
      `
Examples:
  npx tocsin inbox                 the newest 50, unread marked *
  npx tocsin inbox --unread --full what you have not read, whole
  npx tocsin inbox read 12         mark notification 12 read
  npx tocsin inbox --json | jq '.[0].url'`,
    )
    .action(async (o: CommonOpts & { unread?: boolean; full?: boolean; limit: string }) => {
      const q = new URLSearchParams({ limit: o.limit, ...(o.unread ? { unread: 'true' } : {}) });
      const { items } = await new ApiClient({ url: o.url }).get<{ items: Wire[] }>(`/api/v1/inbox?${q}`);
      if (o.json) printJson(items);
      else printItems(items, o.full === true);
    });
  withCommon(inbox.command('read').description('Mark a notification read').argument('<id>', 'its id')).action(
    async (id: string, o: CommonOpts) => {
      const { item } = await new ApiClient({ url: o.url }).post<{ item: Wire }>(
        `/api/v1/inbox/${enc(id)}/read`,
        {},
      );
      if (o.json) printJson(item);
      else process.stdout.write(`#${item.id} read: ${item.title}\n`);
    },
  );
}

import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, enc, type Json, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// `tocsin contact …`: thin client of /api/v1/users/:handle/contact-methods and …/notification-rules.
// Without --user it works on the caller's own (the token's user).
interface UserOpts extends CommonOpts {
  user?: string;
}

async function whoseHandle(api: ApiClient, o: UserOpts): Promise<string> {
  if (o.user) return o.user;
  const me = await api.get<{ user: { handle: string } }>('/api/v1/me');
  return me.user.handle;
}

async function base(o: UserOpts): Promise<{ api: ApiClient; path: string; handle: string }> {
  const api = new ApiClient({ url: o.url });
  const handle = await whoseHandle(api, o);
  return { api, handle, path: `/api/v1/users/${enc(handle)}` };
}

function describeMethod(m: Json): string {
  const state = m.verified ? 'verified' : 'unverified';
  const label = m.label ? ` (${String(m.label)})` : '';
  return `${String(m.id)}  ${String(m.kind)} ${String(m.address)}${label}  ${state}${m.disabled ? ', disabled' : ''}`;
}

/** "mobile:0m,email:5m" → rules; a contact is a label, a kind with one method, or "#<id>". */
export function parseRules(text: string): Json[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part, i) => {
    const at = part.lastIndexOf(':');
    const contact = part.slice(0, at).trim();
    const after = part.slice(at + 1).trim();
    if (at <= 0 || !contact || !after) {
      throw new Error(`--set rule ${i + 1} "${part}": use contact:delay, e.g. mobile:0m,email:5m`);
    }
    return contact.startsWith('#') ? { contact_method_id: contact.slice(1), after } : { contact, after };
  });
}

function printRules(view: Json): void {
  const rules = (view.rules as Json[]) ?? [];
  if (rules.length === 0) {
    process.stdout.write(`${String(view.user)} has no rules: pages go to their email at once\n`);
  } else {
    printTable(
      ['after', 'contact', 'kind', 'address', 'state'],
      rules.map((r) => [
        String(r.after),
        String(r.contact),
        String(r.kind),
        String(r.address),
        r.disabled ? 'disabled' : r.verified ? 'verified' : 'unverified (pages nobody)',
      ]),
    );
  }
  const quiet = view.quiet_hours as { start: string; end: string } | null;
  if (quiet) process.stdout.write(`quiet hours ${quiet.start}–${quiet.end} ${String(view.time_zone)}\n`);
}

export function registerContact(program: Command): void {
  const group = program
    .command('contact')
    .description('Contact methods (email, sms, voice, push, slack) and the rules that page them');
  const withUser = (c: Command) => withCommon(c).option('--user <handle>', 'whose (default: yours)');

  withUser(group.command('list').description('List contact methods')).action(async (o: UserOpts) => {
    const { api, path } = await base(o);
    const res = await api.get<{ contact_methods: Json[] }>(`${path}/contact-methods`);
    if (o.json) return printJson(res.contact_methods);
    printTable(
      ['id', 'kind', 'address', 'label', 'verified', 'disabled'],
      res.contact_methods.map((m) => [
        String(m.id),
        String(m.kind),
        String(m.address),
        (m.label as string | null) ?? '',
        m.verified ? 'yes' : 'no',
        m.disabled ? 'yes' : '',
      ]),
    );
  });

  withUser(
    group
      .command('add <kind> <address>')
      .description('Add one (kind: email|sms|voice|push|slack); a 6-digit code is sent to it')
      .option('--label <label>', 'a name for rules, e.g. mobile')
      .addHelpText(
        'after',
        '\nExamples:\n  tocsin contact add sms +251911234567 --label mobile\n  tocsin contact add push my-ntfy-topic',
      ),
  ).action(async (kind: string, address: string, o: UserOpts & { label?: string }) => {
    const { api, path } = await base(o);
    const body: Json = { kind, address };
    if (o.label) body.label = o.label;
    const res = await api.post<{ contact_method: Json; code_channel_off?: boolean }>(
      `${path}/contact-methods`,
      body,
    );
    if (o.json) return printJson(res.contact_method);
    const id = String(res.contact_method.id);
    process.stdout.write(
      res.code_channel_off
        ? `added ${describeMethod(res.contact_method)}\n${kind} is off on this server (no provider configured): ` +
            `no code was sent; it waits until ${kind} is configured (then: npx tocsin contact verify ${id} <code>).\n` +
            'An admin can declare the method verified instead (verified: true in a User document).\n'
        : `added ${describeMethod(res.contact_method)}\na code was sent to it: npx tocsin contact verify ${id} <code>\n`,
    );
  });

  withUser(
    group.command('verify <id> <code>').description('Verify a method with the code sent to it'),
  ).action(async (id: string, code: string, o: UserOpts) => {
    const { api, path } = await base(o);
    const res = await api.post<{ contact_method: Json }>(`${path}/contact-methods/${enc(id)}/verify`, {
      code,
    });
    if (o.json) return printJson(res.contact_method);
    process.stdout.write(`${describeMethod(res.contact_method)}\n`);
  });

  withUser(group.command('send-code <id>').description('Send a new code (at most once a minute)')).action(
    async (id: string, o: UserOpts) => {
      const { api, path } = await base(o);
      const res = await api.post<{ contact_method: Json }>(`${path}/contact-methods/${enc(id)}/send-code`);
      if (o.json) return printJson(res.contact_method);
      process.stdout.write(
        `a new code was sent to ${String(res.contact_method.kind)} ${String(res.contact_method.address)}\n`,
      );
    },
  );

  withUser(group.command('rm <id>').description('Delete a method (and the rules using it)')).action(
    async (id: string, o: UserOpts) => {
      const { api, path } = await base(o);
      const res = await api.request<{ contact_method: Json }>('DELETE', `${path}/contact-methods/${enc(id)}`);
      if (o.json) return printJson(res.contact_method);
      process.stdout.write(`removed ${describeMethod(res.contact_method)}\n`);
    },
  );

  withUser(
    group
      .command('rules')
      .description('Show the notification rules, or replace them with --set')
      .option('--set <rules>', 'contact:delay pairs in order, e.g. "mobile:0m,email:5m" ("" clears)')
      .addHelpText(
        'after',
        '\nExample:\n  tocsin contact rules --set "push:0m,mobile:5m"   # push at once, SMS after 5 minutes',
      ),
  ).action(async (o: UserOpts & { set?: string }) => {
    const { api, path } = await base(o);
    const res =
      o.set === undefined
        ? await api.get<{ notification_rules: Json }>(`${path}/notification-rules`)
        : await api.put<{ notification_rules: Json }>(`${path}/notification-rules`, {
            rules: parseRules(o.set),
          });
    if (o.json) return printJson(res.notification_rules);
    printRules(res.notification_rules);
  });
}

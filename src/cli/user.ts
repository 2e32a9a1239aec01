import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { type CommonOpts, collect, enc, type Json, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// tocsin user create|list|show|set|deactivate|reactivate and tocsin team create|list|show|set-role|remove|deactivate|reactivate: an
// admin onboards people without writing YAML; each person then adds and verifies their own contacts.

interface WireUser {
  handle: string;
  name: string;
  email: string | null;
  role: string;
  leadership: boolean;
  time_zone: string;
  deactivated_at: string | null;
  teams?: { team: string; role: string }[];
}

interface WireTeam {
  name: string;
  description: string;
  members: { user: string; role: string }[];
  deactivated_at?: string | null;
}

const client = (o: CommonOpts) => new ApiClient({ url: o.url });

function showUser(u: WireUser): void {
  const lines = [
    `${u.handle}: ${u.name}${u.deactivated_at ? ` (deactivated ${u.deactivated_at})` : ''}`,
    `  role:      ${u.role}${u.leadership ? ' (leadership)' : ''}`,
    `  email:     ${u.email ?? '-'}`,
    `  time zone: ${u.time_zone}`,
    ...(u.teams ? [`  teams:     ${u.teams.map((t) => `${t.team} (${t.role})`).join(', ') || '-'}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function showTeam(t: WireTeam): void {
  process.stdout.write(`${t.name}${t.description ? `: ${t.description}` : ''}\n`);
  if (t.deactivated_at)
    process.stdout.write(`deactivated at ${t.deactivated_at}: nobody is paged through it\n`);
  printTable(
    ['member', 'role'],
    t.members.map((m) => [m.user, m.role]),
  );
}

interface UserOpts extends CommonOpts {
  name?: string;
  email?: string;
  role?: string;
  timeZone?: string;
  leadership?: boolean;
}

function userFields(o: UserOpts): Json {
  return {
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.email !== undefined ? { email: o.email === '' ? null : o.email } : {}),
    ...(o.role !== undefined ? { role: o.role } : {}),
    ...(o.timeZone !== undefined ? { time_zone: o.timeZone } : {}),
    ...(o.leadership !== undefined ? { leadership: o.leadership } : {}),
  };
}

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description(
      'People: create, list, show, change role and details, deactivate, reactivate (admins change)',
    );

  withCommon(
    user
      .command('create')
      .description('Create a person (they then add and verify their own contact methods)')
      .argument('<handle>', 'login handle: lowercase letters, digits, . _ -')
      .requiredOption('--name <name>', 'full name')
      .option('--email <address>', 'account email: pages go here until they set up notification rules')
      .option('--role <role>', 'viewer | responder | manager | admin', 'responder')
      .option('--time-zone <zone>', 'IANA time zone, e.g. Africa/Addis_Ababa', 'UTC')
      .option('--leadership', 'may approve external updates that need leadership'),
  )
    .addHelpText(
      'after',
      `
Examples:
  npx tocsin user create amara --name "Amara Okafor" --email amara@example.com
  npx tocsin user create kofi --name "Kofi Mensah" --role manager --time-zone Africa/Accra
Then, as that person (their own token): npx tocsin contact add sms +233201234567`,
    )
    .action(async (handle: string, o: UserOpts) => {
      const { user: created } = await client(o).post<{ user: WireUser }>('/api/v1/users', {
        handle,
        ...userFields(o),
      });
      if (o.json) printJson(created);
      else showUser(created);
    });

  withCommon(user.command('list').description('Everyone, with role and email')).action(
    async (o: CommonOpts) => {
      const { users } = await client(o).get<{ users: WireUser[] }>('/api/v1/users');
      if (o.json) printJson(users);
      else
        printTable(
          ['handle', 'name', 'role', 'email', 'time zone', 'active'],
          users.map((u) => [u.handle, u.name, u.role, u.email, u.time_zone, u.deactivated_at ? 'no' : 'yes']),
        );
    },
  );

  withCommon(
    user
      .command('show')
      .description('One person: role, email, time zone, teams')
      .argument('<handle>', 'their handle'),
  )
    .addHelpText('after', '\nExample:\n  npx tocsin user show amara --json')
    .action(async (handle: string, o: CommonOpts) => {
      const { user: found } = await client(o).get<{ user: WireUser }>(`/api/v1/users/${enc(handle)}`);
      if (o.json) printJson(found);
      else showUser(found);
    });

  withCommon(
    user
      .command('set')
      .description("Change a person's role or details; what is not given stays")
      .argument('<handle>', 'their handle')
      .option('--role <role>', 'viewer | responder | manager | admin')
      .option('--name <name>', 'full name')
      .option('--email <address>', 'account email ("" removes it)')
      .option('--time-zone <zone>', 'IANA time zone')
      .option('--leadership', 'give the leadership flag')
      .option('--no-leadership', 'take the leadership flag away'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  npx tocsin user set kofi --role manager\n  npx tocsin user set amara --time-zone Europe/Berlin',
    )
    .action(async (handle: string, o: UserOpts) => {
      const patch = userFields(o);
      if (Object.keys(patch).length === 0)
        throw new Error('nothing to change: give --role, --name, --email …');
      const { user: updated } = await client(o).patch<{ user: WireUser }>(
        `/api/v1/users/${enc(handle)}`,
        patch,
      );
      if (o.json) printJson(updated);
      else showUser(updated);
    });

  withCommon(
    user
      .command('deactivate')
      .description('Deactivate someone who left: their tokens stop working and nobody pages them')
      .argument('<handle>', 'their handle'),
  )
    .addHelpText('after', '\nExample:\n  npx tocsin user deactivate kofi')
    .action(async (handle: string, o: CommonOpts) => {
      const { user: done } = await client(o).post<{ user: WireUser }>(
        `/api/v1/users/${enc(handle)}/deactivate`,
        {},
      );
      if (o.json) printJson(done);
      else process.stdout.write(`${done.handle} deactivated at ${done.deactivated_at}\n`);
    });

  withCommon(
    user
      .command('reactivate')
      .description('Reactivate someone who came back: paged and signing in again (old tokens stay revoked)')
      .argument('<handle>', 'their handle'),
  )
    .addHelpText('after', '\nExample:\n  npx tocsin user reactivate kofi')
    .action(async (handle: string, o: CommonOpts) => {
      const { user: done } = await client(o).post<{ user: WireUser }>(
        `/api/v1/users/${enc(handle)}/reactivate`,
        {},
      );
      if (o.json) printJson(done);
      else process.stdout.write(`${done.handle} active\n`);
    });

  registerTeam(program);
}

function registerTeam(program: Command): void {
  const team = program
    .command('team')
    .description('Teams: create, list, show, set a member’s role, remove, deactivate, reactivate');

  withCommon(
    team
      .command('create')
      .description('Create a team')
      .argument('<name>', 'team name: lowercase letters, digits, . _ -')
      .option('--description <text>', 'what the team does', '')
      .option('--member <handle[:role]>', 'a member, role "member" unless given; repeatable', collect),
  )
    .addHelpText(
      'after',
      '\nExample:\n  npx tocsin team create payments --description "Runs payments" --member amara:lead --member kofi',
    )
    .action(async (name: string, o: CommonOpts & { description: string; member?: string[] }) => {
      const members = (o.member ?? []).map((m) => {
        const [user, role] = m.split(':');
        return { user, ...(role ? { role } : {}) };
      });
      const { team: created } = await client(o).post<{ team: WireTeam }>('/api/v1/teams', {
        name,
        description: o.description,
        members,
      });
      if (o.json) printJson(created);
      else showTeam(created);
    });

  withCommon(team.command('list').description('Every active team').option('--all', 'deactivated teams too'))
    .addHelpText('after', '\nExamples:\n  npx tocsin team list\n  npx tocsin team list --all --json')
    .action(async (o: CommonOpts & { all?: boolean }) => {
      const { teams } = await client(o).get<{ teams: (WireTeam & { members?: unknown[] })[] }>(
        `/api/v1/teams${o.all ? '?all=true' : ''}`,
      );
      if (o.json) printJson(teams);
      else
        printTable(
          ['name', 'description', 'deactivated'],
          teams.map((t) => [t.name, t.description, t.deactivated_at ?? '-']),
        );
    });

  withCommon(team.command('show').description('A team and its members').argument('<name>', 'team name'))
    .addHelpText('after', '\nExample:\n  npx tocsin team show payments')
    .action(async (name: string, o: CommonOpts) => {
      const { team: found } = await client(o).get<{ team: WireTeam }>(`/api/v1/teams/${enc(name)}`);
      if (o.json) printJson(found);
      else showTeam(found);
    });

  withCommon(
    team
      .command('set-role')
      .description('Add someone to a team, or change their role in it')
      .argument('<name>', 'team name')
      .argument('<handle>', 'the person')
      .argument('[role]', 'their role in the team', 'member'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  npx tocsin team set-role payments kofi lead\n  npx tocsin team set-role payments selam',
    )
    .action(async (name: string, handle: string, role: string, o: CommonOpts) => {
      const { team: updated } = await client(o).put<{ team: WireTeam }>(
        `/api/v1/teams/${enc(name)}/members/${enc(handle)}`,
        { role },
      );
      if (o.json) printJson(updated);
      else showTeam(updated);
    });

  withCommon(
    team
      .command('deactivate')
      .description('Deactivate a disbanded team: nobody is paged through it, team lists leave it out')
      .argument('<name>', 'team name'),
  )
    .addHelpText('after', '\nExample:\n  npx tocsin team deactivate old-payments')
    .action(async (name: string, o: CommonOpts) => {
      const { team: done } = await client(o).post<{ team: WireTeam }>(
        `/api/v1/teams/${enc(name)}/deactivate`,
        {},
      );
      if (o.json) printJson(done);
      else process.stdout.write(`team ${done.name} deactivated at ${done.deactivated_at}\n`);
    });

  withCommon(
    team
      .command('reactivate')
      .description('Reactivate a deactivated team: paged through and listed again, with its members')
      .argument('<name>', 'team name'),
  )
    .addHelpText('after', '\nExample:\n  npx tocsin team reactivate old-payments')
    .action(async (name: string, o: CommonOpts) => {
      const { team: done } = await client(o).post<{ team: WireTeam }>(
        `/api/v1/teams/${enc(name)}/reactivate`,
        {},
      );
      if (o.json) printJson(done);
      else process.stdout.write(`team ${done.name} active\n`);
    });

  withCommon(
    team
      .command('remove')
      .description('Remove someone from a team')
      .argument('<name>', 'team name')
      .argument('<handle>', 'the person'),
  )
    .addHelpText('after', '\nExample:\n  npx tocsin team remove payments kofi')
    .action(async (name: string, handle: string, o: CommonOpts) => {
      const { team: updated } = await client(o).request<{ team: WireTeam }>(
        'DELETE',
        `/api/v1/teams/${enc(name)}/members/${enc(handle)}`,
      );
      if (o.json) printJson(updated);
      else showTeam(updated);
    });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ROLES } from '../../../src/domain/context.ts';
import {
  teamInputSchema,
  teamMemberInputSchema,
  userInputSchema,
  userPatchSchema,
} from '../../../src/domain/users/inputs.ts';
import { answer, api, raw } from '../api/client';
import type { Team, User } from '../api/models';
import { useTeams } from '../api/shared-queries';
import { checked } from '../api/validate';
import { useCan } from '../auth/session';
import { Copyable } from '../ui/copy';
import { ErrorNote, Field, fieldError, TextField } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { UserOptions } from '../ui/user-options';

/** A change to users or teams; both lists (and the pickers that read them) refetch when it commits. */
function usePeopleChange<V>(run: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['users'] }),
        client.invalidateQueries({ queryKey: ['teams'] }),
      ]),
  });
}

const path = (s: string) => encodeURIComponent(s);

function RoleSelect({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
}) {
  return (
    <Field label="Role" error={error}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * Deactivation asks first: the button opens a confirmation saying what follows, and only its
 * "Yes, deactivate" sends the request. The API refuses what the caller may not do (themselves, say).
 */
function DeactivateButton({
  what,
  label,
  consequence,
  url,
}: {
  what: string;
  label: string;
  consequence: string;
  url: string;
}) {
  const [asking, setAsking] = useState(false);
  const deactivate = usePeopleChange(() => raw('POST', url));
  if (!asking) {
    return (
      <>
        <button type="button" className="button small danger" onClick={() => setAsking(true)}>
          Deactivate <span className="visually-hidden">{label}</span>
        </button>
        <ErrorNote error={deactivate.error} />
      </>
    );
  }
  return (
    <fieldset aria-label={`Deactivate ${label}?`} className="inline-form">
      <legend>Deactivate {what}?</legend>
      <span>{consequence}</span>
      <button
        type="button"
        className="button small danger"
        disabled={deactivate.isPending}
        onClick={() => deactivate.mutate(undefined, { onSettled: () => setAsking(false) })}
      >
        Yes, deactivate <span className="visually-hidden">{label}</span>
      </button>
      <button type="button" className="button small ghost" onClick={() => setAsking(false)}>
        Keep <span className="visually-hidden">{label}</span>
      </button>
    </fieldset>
  );
}

/** Brings back a deactivated person or team at once (nothing to lose by it, so no confirmation). */
function ReactivateButton({ label, url }: { label: string; url: string }) {
  const reactivate = usePeopleChange(() => raw('POST', url));
  return (
    <>
      <button
        type="button"
        className="button small"
        disabled={reactivate.isPending}
        onClick={() => reactivate.mutate(undefined)}
      >
        Reactivate <span className="visually-hidden">{label}</span>
      </button>
      <ErrorNote error={reactivate.error} />
    </>
  );
}

/** Admins add a user: user name, name, email, role, time zone (the API's own schema checks first). */
function AddUserForm() {
  const [handle, setHandle] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('responder');
  const [timeZone, setTimeZone] = useState('UTC');
  const add = usePeopleChange(() =>
    raw(
      'POST',
      '/api/v1/users',
      checked(userInputSchema, { handle, name, email: email || null, role, time_zone: timeZone }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(undefined, {
      onSuccess: () => {
        setHandle('');
        setName('');
        setEmail('');
      },
    });
  }
  const fields = ['handle', 'name', 'email', 'role', 'time_zone'];
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a user">
      <TextField
        label="User name"
        value={handle}
        onChange={setHandle}
        error={fieldError(add.error, 'handle')}
        required
      />
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        error={fieldError(add.error, 'name')}
        required
      />
      <TextField
        label="Email (optional)"
        type="email"
        value={email}
        onChange={setEmail}
        error={fieldError(add.error, 'email')}
      />
      <RoleSelect value={role} onChange={setRole} error={fieldError(add.error, 'role')} />
      <TextField
        label="Time zone"
        value={timeZone}
        onChange={setTimeZone}
        error={fieldError(add.error, 'time_zone')}
      />
      <button type="submit" className="button" disabled={add.isPending}>
        Add user
      </button>
      <ErrorNote error={add.error} shownFields={fields} />
    </form>
  );
}

/** Admins change a user's name, email, role or time zone (the user name stays). */
function EditUserForm({ user, onDone }: { user: User; onDone: () => void }) {
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email ?? '');
  const [role, setRole] = useState(user.role);
  const [timeZone, setTimeZone] = useState(user.time_zone);
  const save = usePeopleChange(() =>
    raw(
      'PATCH',
      `/api/v1/users/${path(user.handle)}`,
      checked(userPatchSchema, { name, email: email || null, role, time_zone: timeZone }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(undefined, { onSuccess: onDone });
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Edit ${user.handle}`}>
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        error={fieldError(save.error, 'name')}
        required
      />
      <TextField
        label="Email"
        type="email"
        value={email}
        onChange={setEmail}
        error={fieldError(save.error, 'email')}
      />
      <RoleSelect value={role} onChange={setRole} error={fieldError(save.error, 'role')} />
      <TextField
        label="Time zone"
        value={timeZone}
        onChange={setTimeZone}
        error={fieldError(save.error, 'time_zone')}
      />
      <button type="submit" className="button" disabled={save.isPending}>
        Save {user.handle}
      </button>
      <button type="button" className="button ghost" onClick={onDone}>
        Cancel
      </button>
      <ErrorNote error={save.error} shownFields={['name', 'email', 'role', 'time_zone']} />
    </form>
  );
}

/** An invitation email with a one-time link to choose a password (admins). */
function InviteButton({ user }: { user: User }) {
  const invite = useMutation({
    mutationFn: () =>
      raw<{ invitation: { sent_to: string; url: string } }>(
        'POST',
        `/api/v1/users/${encodeURIComponent(user.handle)}/invite`,
      ).then((a) => a.invitation),
  });
  return (
    <>
      <button
        type="button"
        className="button small"
        onClick={() => invite.mutate()}
        disabled={invite.isPending}
      >
        Invite <span className="visually-hidden">{user.name}</span>
      </button>
      {invite.data && (
        <div role="status">
          Sent to {invite.data.sent_to}. <Copyable label="Invitation link" value={invite.data.url} />
        </div>
      )}
      <ErrorNote error={invite.error} />
    </>
  );
}

export function UsersList() {
  const canInvite = useCan('user:write');
  const [editing, setEditing] = useState<string | null>(null);
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => answer<{ users: User[] }>(api.GET('/api/v1/users')).then((a) => a.users),
  });
  return (
    <>
      {canInvite && <AddUserForm />}
      <ErrorNote error={users.error} />
      <TableWrap label="Users">
        <table aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">User name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Time zone</th>
              {canInvite && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.handle}</td>
                <td>{u.email ?? '—'}</td>
                <td>{u.role}</td>
                <td>{u.time_zone}</td>
                {canInvite && (
                  <td>
                    {u.deactivated_at ? (
                      <>
                        <span className="muted small">deactivated</span>{' '}
                        <ReactivateButton label={u.name} url={`/api/v1/users/${path(u.handle)}/reactivate`} />
                      </>
                    ) : (
                      <>
                        <button type="button" className="button small" onClick={() => setEditing(u.handle)}>
                          Edit <span className="visually-hidden">{u.name}</span>
                        </button>
                        {u.email ? <InviteButton user={u} /> : null}
                        <DeactivateButton
                          what={u.name}
                          label={u.name}
                          consequence="They can no longer sign in, their tokens stop working and nobody pages them."
                          url={`/api/v1/users/${path(u.handle)}/deactivate`}
                        />
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {editing &&
        (users.data ?? [])
          .filter((u) => u.handle === editing)
          .map((u) => <EditUserForm key={u.handle} user={u} onDone={() => setEditing(null)} />)}
    </>
  );
}

/** Managers add a team: its name (a handle) and what it does. */
function AddTeamForm() {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const add = usePeopleChange(() =>
    raw('POST', '/api/v1/teams', checked(teamInputSchema, { name, description })),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(undefined, {
      onSuccess: () => {
        setName('');
        setDescription('');
      },
    });
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a team">
      <TextField
        label="Team name"
        value={name}
        onChange={setName}
        error={fieldError(add.error, 'name')}
        required
      />
      <TextField
        label="Description"
        value={description}
        onChange={setDescription}
        error={fieldError(add.error, 'description')}
      />
      <button type="submit" className="button" disabled={add.isPending}>
        Add team
      </button>
      <ErrorNote error={add.error} shownFields={['name', 'description']} />
    </form>
  );
}

/** Add a member to a team or change their role in it (the same PUT), or take them off it. */
function TeamMembers({ team, canWrite }: { team: Team; canWrite: boolean }) {
  const [user, setUser] = useState('');
  const [role, setRole] = useState('member');
  const member = (handle: string) => `/api/v1/teams/${path(team.name)}/members/${path(handle)}`;
  const set = usePeopleChange((v: { user: string; role: string }) =>
    raw('PUT', member(v.user), checked(teamMemberInputSchema, { role: v.role })),
  );
  const remove = usePeopleChange((handle: string) => raw('DELETE', member(handle)));
  function submit(event: FormEvent) {
    event.preventDefault();
    if (user) set.mutate({ user, role });
  }
  return (
    <>
      <ul className="plain">
        {team.members.map((m) => (
          <li key={m.user}>
            {m.user} <span className="muted small">{m.role}</span>{' '}
            {canWrite && (
              <button type="button" className="button small ghost" onClick={() => remove.mutate(m.user)}>
                Remove{' '}
                <span className="visually-hidden">
                  {m.user} from {team.name}
                </span>
              </button>
            )}
          </li>
        ))}
      </ul>
      {canWrite && (
        <form className="inline-form" onSubmit={submit} aria-label={`Add a member to ${team.name}`}>
          <Field label="Member" error={fieldError(set.error, 'user')}>
            {(p) => (
              <select {...p} value={user} required onChange={(e) => setUser(e.target.value)}>
                <option value="">Choose a person</option>
                <UserOptions />
              </select>
            )}
          </Field>
          <TextField
            label="Role in the team"
            value={role}
            onChange={setRole}
            error={fieldError(set.error, 'role')}
          />
          <button type="submit" className="button small">
            Add or change member
          </button>
        </form>
      )}
      <ErrorNote error={set.error ?? remove.error} shownFields={['role']} />
    </>
  );
}

/** Deactivated teams (managers only), each with the button that brings it back. */
function DeactivatedTeams() {
  const all = useQuery({
    queryKey: ['teams', 'all'],
    queryFn: () =>
      answer<{ teams: Team[] }>(api.GET('/api/v1/teams', { params: { query: { all: 'true' } } })).then((a) =>
        a.teams.filter((t) => t.deactivated_at),
      ),
  });
  if (!all.data?.length) return <ErrorNote error={all.error} />;
  return (
    <section aria-labelledby="deactivated-teams">
      <h2 id="deactivated-teams">Deactivated teams</h2>
      <ul className="plain">
        {all.data.map((t) => (
          <li key={t.id}>
            {t.name} <span className="muted small">deactivated</span>{' '}
            <ReactivateButton label={t.name} url={`/api/v1/teams/${path(t.name)}/reactivate`} />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TeamsList() {
  const teams = useTeams();
  const canWrite = useCan('team:write');
  return (
    <>
      {canWrite && <AddTeamForm />}
      <ErrorNote error={teams.error} />
      <div className="cards">
        {(teams.data ?? []).map((t) => (
          <div key={t.id} className="card">
            <h2>{t.name}</h2>
            {t.description && <p className="muted small">{t.description}</p>}
            <TeamMembers team={t} canWrite={canWrite} />
            {canWrite && (
              <DeactivateButton
                what={`the team ${t.name}`}
                label={t.name}
                consequence="Nobody is paged through it and team lists leave it out."
                url={`/api/v1/teams/${path(t.name)}/deactivate`}
              />
            )}
          </div>
        ))}
      </div>
      {canWrite && <DeactivatedTeams />}
    </>
  );
}

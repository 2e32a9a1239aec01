import { useMutation, useQuery } from '@tanstack/react-query';
import { answer, api, raw } from '../api/client';
import type { User } from '../api/models';
import { useTeams } from '../api/shared-queries';
import { useCan } from '../auth/session';
import { Copyable } from '../ui/copy';
import { ErrorNote } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';

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
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => answer<{ users: User[] }>(api.GET('/api/v1/users')).then((a) => a.users),
  });
  return (
    <>
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
                  <span className="visually-hidden">Invitation</span>
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
                {canInvite && <td>{u.email ? <InviteButton user={u} /> : null}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

export function TeamsList() {
  const teams = useTeams();
  return (
    <>
      <ErrorNote error={teams.error} />
      <div className="cards">
        {(teams.data ?? []).map((t) => (
          <div key={t.id} className="card">
            <h2>{t.name}</h2>
            {t.description && <p className="muted small">{t.description}</p>}
            <ul className="plain">
              {t.members.map((m) => (
                <li key={m.user}>
                  {m.user} <span className="muted small">{m.role}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </>
  );
}

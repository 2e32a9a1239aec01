import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, api } from '../api/client';
import type { SignedInSession } from '../api/models';
import { useCan } from '../auth/session';
import { ErrorNote, Field } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { Time } from '../ui/time';
import { UserOptions } from '../ui/user-options';

/**
 * Where I am signed in: my live sessions, each can be signed out (this one signs me out here).
 * Admins pick a user to see and sign out theirs (a lost laptop); the API checks that permission too.
 */
export function Sessions() {
  const client = useQueryClient();
  const manageAny = useCan('session:manage-any');
  const [whose, setWhose] = useState('');
  const query = whose ? { user: whose } : {};
  const sessions = useQuery({
    queryKey: ['sessions', whose],
    queryFn: () =>
      answer<{ sessions: SignedInSession[] }>(api.GET('/api/v1/auth/sessions', { params: { query } })).then(
        (a) => a.sessions,
      ),
    retry: false,
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      answer(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id }, query } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['sessions'] }),
  });
  return (
    <>
      <p className="muted">
        {whose
          ? `Browsers where ${whose} is signed in.`
          : 'Browsers where you are signed in. Sign out any you do not recognise.'}
      </p>
      {manageAny && (
        <Field label="Whose sessions">
          {(p) => (
            <select {...p} value={whose} onChange={(e) => setWhose(e.target.value)}>
              <option value="">Mine</option>
              <UserOptions />
            </select>
          )}
        </Field>
      )}
      <ErrorNote error={sessions.error ?? revoke.error} />
      <TableWrap label="Signed-in sessions">
        <table aria-label="Signed-in sessions">
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">From</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(sessions.data ?? []).map((s) => (
              <tr key={s.id}>
                <td>
                  {s.user_agent ?? 'unknown browser'}
                  {s.current && <span className="badge ok"> this browser</span>}
                </td>
                <td>
                  <Time at={s.created_at} /> <span className="muted small">({s.method})</span>
                </td>
                <td>
                  <Time at={s.last_seen_at} />
                </td>
                <td>{s.ip ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    className="button small danger"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(s.id)}
                  >
                    Sign out <span className="visually-hidden">session {s.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

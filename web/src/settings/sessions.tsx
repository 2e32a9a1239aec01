import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import type { SignedInSession } from '../api/models';
import { ErrorNote } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { Time } from '../ui/time';

/** Where I am signed in: my live sessions, each can be signed out (this one signs me out here). */
export function Sessions() {
  const client = useQueryClient();
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: () =>
      answer<{ sessions: SignedInSession[] }>(api.GET('/api/v1/auth/sessions')).then((a) => a.sessions),
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      answer(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['sessions'] }),
  });
  return (
    <>
      <p className="muted">Browsers where you are signed in. Sign out any you do not recognise.</p>
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

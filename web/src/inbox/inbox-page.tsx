import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiError, raw } from '../api/client';
import type { InboxItem } from '../api/models';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';

/** My notifications, newest first; opening one marks it read. */
export default function InboxPage() {
  const client = useQueryClient();
  const inbox = useQuery({
    queryKey: ['inbox'],
    queryFn: () => raw<{ items: InboxItem[] }>('GET', '/api/v1/inbox').then((a) => a.items),
    retry: false,
  });
  const read = useMutation({
    mutationFn: (id: string) => raw('POST', `/api/v1/inbox/${encodeURIComponent(id)}/read`, {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['inbox'] }),
  });
  const missing = inbox.error instanceof ApiError && inbox.error.status === 404;
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      {missing ? (
        <p className="muted">This server has no in-app inbox yet.</p>
      ) : (
        <>
          <ErrorNote error={inbox.error} />
          {(inbox.data ?? []).length === 0 ? (
            <p className="empty">{inbox.isLoading ? 'Loading…' : 'Nothing new.'}</p>
          ) : (
            <ul className="plain">
              {(inbox.data ?? []).map((item) => (
                <li key={item.id} className="card">
                  <div className="row">
                    {!item.read_at && <span className="badge warn">new</span>}
                    <strong>{item.title}</strong> <Time at={item.created_at} />
                  </div>
                  <p>{item.body}</p>
                  {item.incident_id && (
                    <Link to={`/incidents/${item.incident_id}`} onClick={() => read.mutate(item.id)}>
                      Open incident #{item.incident_id}
                    </Link>
                  )}
                  {!item.read_at && (
                    <button type="button" className="button small ghost" onClick={() => read.mutate(item.id)}>
                      Mark read <span className="visually-hidden">{item.title}</span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

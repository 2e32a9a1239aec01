import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { raw } from '../api/client';
import type { Postmortem } from '../api/models';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';

/** Every post-mortem, newest incident first, overdue ones marked. */
export default function PostmortemsPage() {
  const list = useQuery({
    queryKey: ['postmortems'],
    queryFn: () =>
      raw<{ postmortems: Postmortem[] }>('GET', '/api/v1/postmortems').then((a) => a.postmortems),
  });
  return (
    <section aria-labelledby="pms-title">
      <h1 id="pms-title">Post-mortems</h1>
      <ErrorNote error={list.error} />
      {(list.data ?? []).length === 0 ? (
        <p className="empty">
          {list.isLoading ? 'Loading…' : 'No post-mortems yet: they are drafted when an incident resolves.'}
        </p>
      ) : (
        <ul className="plain">
          {(list.data ?? []).map((p) => (
            <li key={p.incident_id} className="row">
              <span className="badge">{p.status.replace('_', ' ')}</span>
              {p.overdue && <span className="badge bad">overdue</span>}
              <Link to={`/postmortems/${p.incident_id}`}>{p.title}</Link>
              {p.due_at && (
                <span className="muted">
                  due <Time at={p.due_at} />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { RelatedIncident } from '../api/models';

/**
 * Incidents linked to this one (either side linked them), each a link to its own page; `action`
 * adds a control beside each (unlink, for those who may).
 */
export function RelatedIncidents({
  related,
  action,
}: {
  related: RelatedIncident[];
  action?: (r: RelatedIncident) => ReactNode;
}) {
  if (related.length === 0) return null;
  return (
    <section aria-labelledby="related-title">
      <h2 id="related-title">Related incidents</h2>
      <ul className="plain">
        {related.map((r) => (
          <li key={r.id}>
            <Link to={`/incidents/${encodeURIComponent(r.id)}`}>
              #{r.id} {r.title}
            </Link>{' '}
            <span className="badge">{r.severity}</span> <span className="muted">{r.state}</span>
            {action ? <> {action(r)}</> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { raw } from '../api/client';
import type { Exercise, PlanReadiness } from '../api/models';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';

// A plan's readiness (GET /api/v1/plans/:name/readiness) and its exercises (GET /api/v1/exercises):
// what would go wrong at its first incident, and when it was last practised.

const ROUTE: Record<string, string> = {
  named: 'pages whom the plan names',
  service_policy: "pages only the service's escalation policy",
  nobody: 'pages nobody',
};

export function Readiness({ name }: { name: string }) {
  const readiness = useQuery({
    queryKey: ['plan-readiness', name],
    queryFn: () => raw<PlanReadiness>('GET', `/api/v1/plans/${encodeURIComponent(name)}/readiness`),
  });
  const exercises = useQuery({
    queryKey: ['exercises', name],
    queryFn: () =>
      raw<{ exercises: Exercise[] }>('GET', `/api/v1/exercises?plan=${encodeURIComponent(name)}`),
  });
  const r = readiness.data;
  return (
    <section aria-labelledby="readiness-title">
      <h3 id="readiness-title">Readiness</h3>
      <ErrorNote error={readiness.error ?? exercises.error} />
      {r && (
        <ul className="plain" aria-label="Readiness">
          {r.severities.map((s) => (
            <li key={s.id}>
              <span className={`badge ${s.route === 'nobody' ? 'bad' : 'ok'}`}>{s.id}</span> {ROUTE[s.route]}
            </li>
          ))}
          <li>
            <span className={`badge ${r.review?.due ? 'bad' : 'ok'}`}>review</span>{' '}
            {!r.review
              ? 'no review cycle stated'
              : r.review.due
                ? `due (every ${r.review.every})`
                : `next due ${r.review.due_at?.slice(0, 10)} (every ${r.review.every})`}
          </li>
          {r.services.map((s) => (
            <li key={s.name}>
              <span className={`badge ${s.ready ? 'ok' : 'bad'}`}>{s.ready ? 'ready' : 'not ready'}</span>{' '}
              service {s.name}:{' '}
              {s.team ? `team ${s.team}` : s.escalation_policy ? `policy ${s.escalation_policy}` : 'no owner'}
              ; {s.runbooks.length > 0 ? `runbooks ${s.runbooks.join(', ')}` : 'no runbook'}
            </li>
          ))}
          {r.schedules.map((s) => (
            <li key={s.schedule}>
              <span className={`badge ${s.gaps.length > 0 ? 'bad' : 'ok'}`}>{s.schedule}</span>{' '}
              {s.gaps.length === 0
                ? 'covered for the next 14 days'
                : `${s.gaps.length} gap${s.gaps.length === 1 ? '' : 's'} in the next 14 days, first from `}
              {s.gaps[0] && (
                <>
                  <Time at={s.gaps[0].start} /> to <Time at={s.gaps[0].end} />
                </>
              )}
            </li>
          ))}
          <li>
            <span className="badge">exercises</span>{' '}
            {r.days_since_last_exercise === null
              ? 'no exercise recorded'
              : `last one ${r.days_since_last_exercise} days ago`}
          </li>
        </ul>
      )}
      <h3>Exercises</h3>
      {(exercises.data?.exercises ?? []).length === 0 ? (
        <p className="empty">No exercise scheduled (tocsin exercise schedule).</p>
      ) : (
        <ul className="plain" aria-label="Exercises">
          {(exercises.data?.exercises ?? []).map((e) => (
            <li key={e.id}>
              <span className="badge">{e.kind === 'game_day' ? 'game day' : 'tabletop'}</span> {e.title} (
              {e.severity}) <Time at={e.scheduled_at} />{' '}
              {e.incident_id ? (
                <a href={`/incidents/${e.incident_id}`}>incident #{e.incident_id}</a>
              ) : (
                'scheduled'
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

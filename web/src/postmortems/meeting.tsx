import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { scheduleMeetingSchema } from '../../../src/domain/postmortems/meeting.ts';
import { ApiError, raw } from '../api/client';
import { checked } from '../api/validate';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';

interface Meeting {
  starts_at: string;
  ends_at: string;
  sequence: number;
  attendees: { name: string; email: string | null; handle: string | null }[];
}

/** The post-mortem meeting: when, who is invited; scheduling it emails each attendee an invitation. */
export function MeetingSection({ incidentId, editable }: { incidentId: string; editable: boolean }) {
  const client = useQueryClient();
  const key = ['postmortem-meeting', incidentId];
  const meeting = useQuery({
    queryKey: key,
    queryFn: () =>
      raw<{ meeting: Meeting }>('GET', `/api/v1/postmortems/${incidentId}/meeting`).then(
        (a) => a.meeting,
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return null; // none scheduled yet
          throw error;
        },
      ),
    retry: false,
  });
  const [at, setAt] = useState('');
  const [invite, setInvite] = useState('');
  const schedule = useMutation({
    mutationFn: () =>
      raw(
        'PUT',
        `/api/v1/postmortems/${incidentId}/meeting`,
        checked(scheduleMeetingSchema, {
          starts_at: new Date(at).toISOString(),
          invite: invite
            .split(/[\s,]+/)
            .map((s) => s.trim())
            .filter(Boolean),
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const m = meeting.data;
  return (
    <section aria-labelledby="meeting-title">
      <h2 id="meeting-title">Meeting</h2>
      <ErrorNote error={meeting.error} />
      {m ? (
        <>
          <p>
            <Time at={m.starts_at} /> – <Time at={m.ends_at} />
            {m.sequence > 0 && ' (moved)'}
          </p>
          <ul className="plain">
            {m.attendees.map((a) => (
              <li key={a.email ?? a.handle ?? a.name}>
                {a.name}
                {a.email ? ` <${a.email}>` : ' (no email: not invited)'}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="empty">{meeting.isLoading ? 'Loading…' : 'No meeting scheduled.'}</p>
      )}
      {editable && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            schedule.mutate();
          }}
        >
          <label>
            Starts <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
          </label>
          <label>
            Also invite{' '}
            <input
              value={invite}
              onChange={(e) => setInvite(e.target.value)}
              placeholder="handles or emails"
            />
          </label>
          <button type="submit" className="button small">
            {m ? 'Move meeting' : 'Schedule meeting'}
          </button>
          <ErrorNote error={schedule.error} />
        </form>
      )}
    </section>
  );
}

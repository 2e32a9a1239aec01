import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { answer, api } from '../api/client';
import type { IncidentDetail, PlanDocument, RelatedIncident } from '../api/models';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { useIncidentAction, useIncidents } from './queries';

// The incident's type and urgency, and its links to other incidents (link, unlink, merge into
// another). Shown to those who may update an incident; the API checks the permission anyway.

/** Another of the plan's incident types (or none), with a reason kept on the timeline. */
export function TypeForm({ detail, plan }: { detail: IncidentDetail; plan: PlanDocument | undefined }) {
  const id = detail.incident.id;
  const types = plan?.types ?? [];
  const current = detail.incident.type ?? '';
  const [type, setType] = useState(current);
  const [reason, setReason] = useState('');
  const change = useIncidentAction(id, (body: { type: string | null; reason: string }) =>
    answer(api.POST('/api/v1/incidents/{id}/type', { params: { path: { id } }, body })),
  );
  if (types.length === 0 && !current) return null;
  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ type: type || null, reason }, { onSuccess: () => setReason('') });
  }
  return (
    <form className="stack" onSubmit={submit} aria-label="Change type">
      <Field label="Type" error={fieldError(change.error, 'type')}>
        {(p) => (
          <select {...p} value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">No type</option>
            {types.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
                {t.description ? ` — ${t.description}` : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Reason for the type" error={fieldError(change.error, 'reason')}>
        {(p) => <input {...p} required value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="button" disabled={change.isPending || type === current}>
        Change type
      </button>
      <ErrorNote error={change.error} shownFields={['type', 'reason']} />
    </form>
  );
}

/** A low-urgency incident (best-effort paging) raised to high: the severity's page runs in full. */
export function RaiseUrgencyButton({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const raise = useIncidentAction(id, () =>
    answer(
      api.POST('/api/v1/incidents/{id}/urgency', {
        params: { path: { id } },
        body: { urgency: 'high', reason: 'urgency raised in the console' },
      }),
    ),
  );
  if (detail.incident.urgency !== 'low' || detail.incident.resolved_at) return null;
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={raise.isPending}
        onClick={() => raise.mutate(undefined)}
      >
        Raise urgency to high
      </button>
      <ErrorNote error={raise.error} />
    </>
  );
}

/** Incidents to pick from: the newest 200 (open and resolved), never this one. */
function IncidentOptions({ exclude, openOnly }: { exclude: Set<string>; openOnly: boolean }) {
  const list = useIncidents({ state: openOnly ? 'open' : 'all' });
  return (
    <>
      {(list.data ?? [])
        .filter((i) => !exclude.has(i.id))
        .map((i) => (
          <option key={i.id} value={i.id}>
            #{i.id} {i.title} ({i.severity}, {i.state})
          </option>
        ))}
    </>
  );
}

function LinkForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const [other, setOther] = useState('');
  const link = useIncidentAction(id, (incidentId: string) =>
    answer(
      api.POST('/api/v1/incidents/{id}/links', {
        params: { path: { id } },
        body: { incident_id: incidentId },
      }),
    ),
  );
  const exclude = new Set([id, ...(detail.related ?? []).map((r) => r.id)]);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (other) link.mutate(other, { onSuccess: () => setOther('') });
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Link an incident">
      <Field label="Incident to link" error={fieldError(link.error, 'incident_id')}>
        {(p) => (
          <select {...p} required value={other} onChange={(e) => setOther(e.target.value)}>
            <option value="">Choose an incident</option>
            <IncidentOptions exclude={exclude} openOnly={false} />
          </select>
        )}
      </Field>
      <button type="submit" className="button small" disabled={link.isPending}>
        Link
      </button>
      <ErrorNote error={link.error} shownFields={['incident_id']} />
    </form>
  );
}

/** Merging resolves this incident into the other: asked once more before it is sent. */
function MergeForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const [into, setInto] = useState('');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const merge = useIncidentAction(id, (body: { into: string; reason?: string }) =>
    answer(api.POST('/api/v1/incidents/{id}/merge', { params: { path: { id } }, body })),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!asking) return setAsking(true);
    merge.mutate({ into, ...(reason ? { reason } : {}) }, { onSettled: () => setAsking(false) });
  }
  return (
    <form className="stack" onSubmit={submit} aria-label="Merge into another incident">
      <Field label="Merge this incident into" error={fieldError(merge.error, 'into')}>
        {(p) => (
          <select
            {...p}
            required
            value={into}
            onChange={(e) => {
              setInto(e.target.value);
              setAsking(false);
            }}
          >
            <option value="">Choose an open incident</option>
            <IncidentOptions exclude={new Set([id])} openOnly />
          </select>
        )}
      </Field>
      <Field label="Reason for merging (optional)" error={fieldError(merge.error, 'reason')}>
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      {asking && (
        <p role="status">
          This incident is resolved as merged into #{into}; its alerts move there. Merge it?
        </p>
      )}
      <button type="submit" className="button danger" disabled={merge.isPending}>
        {asking ? `Yes, merge into #${into}` : 'Merge…'}
      </button>
      <ErrorNote error={merge.error} shownFields={['into', 'reason']} />
    </form>
  );
}

/**
 * Linking and merging pick another incident from the list, which loads only when this is opened
 * (it is not needed to show the incident).
 */
export function LinkAndMerge({ detail }: { detail: IncidentDetail }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="disclosure" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Link or merge with another incident</summary>
      {open && (
        <>
          <LinkForm detail={detail} />
          {!detail.incident.resolved_at && <MergeForm detail={detail} />}
        </>
      )}
    </details>
  );
}

/** Takes the link to one related incident away. */
export function UnlinkButton({ incidentId, other }: { incidentId: string; other: RelatedIncident }) {
  const unlink = useIncidentAction(incidentId, () =>
    answer(
      api.DELETE('/api/v1/incidents/{id}/links/{other}', {
        params: { path: { id: incidentId, other: other.id } },
      }),
    ),
  );
  return (
    <>
      <button
        type="button"
        className="button small ghost"
        disabled={unlink.isPending}
        onClick={() => unlink.mutate(undefined)}
      >
        Unlink <span className="visually-hidden">#{other.id}</span>
      </button>
      <ErrorNote error={unlink.error} />
    </>
  );
}

/** Where a merged incident went. */
export function MergedInto({ into }: { into: string | null | undefined }) {
  if (!into) return null;
  return (
    <div>
      <dt>Merged into</dt>
      <dd>
        <Link to={`/incidents/${encodeURIComponent(into)}`}>#{into}</Link>
      </dd>
    </div>
  );
}

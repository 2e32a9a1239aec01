import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  createActionItemSchema,
  pushActionItemSchema,
  updateActionItemSchema,
} from '../../../src/domain/action-items/action-items.ts';
import { editPostmortemSchema, postmortemMoveSchema } from '../../../src/domain/postmortems/postmortem.ts';
import { raw } from '../api/client';
import type { ActionItem, Postmortem } from '../api/models';
import { checked } from '../api/validate';
import { useSession } from '../auth/session';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';
import { MeetingSection } from './meeting';
import { RootCauseField } from './root-cause';
import { SectionEditor } from './section-editor';

const NEXT: Record<Postmortem['status'], [Postmortem['status'], string][]> = {
  draft: [['in_review', 'Send for review']],
  in_review: [
    ['published', 'Publish'],
    ['draft', 'Back to draft'],
  ],
  published: [],
};

function ActionItems({ incidentId, editable }: { incidentId: string; editable: boolean }) {
  const client = useQueryClient();
  const key = ['action-items', incidentId];
  const items = useQuery({
    queryKey: key,
    queryFn: () =>
      raw<{ action_items: ActionItem[] }>(
        'GET',
        `/api/v1/action-items?incident=${incidentId}&status=all`,
      ).then((a) => a.action_items),
  });
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const add = useMutation({
    mutationFn: () =>
      raw(
        'POST',
        '/api/v1/action-items',
        checked(createActionItemSchema, {
          incident_id: incidentId,
          title,
          ...(owner ? { owner } : {}),
          ...(due ? { due_at: new Date(due).toISOString() } : {}),
        }),
      ),
    onSuccess: () => {
      setTitle('');
      void client.invalidateQueries({ queryKey: key });
    },
  });
  const finish = useMutation({
    mutationFn: (id: string) =>
      raw('PATCH', `/api/v1/action-items/${id}`, checked(updateActionItemSchema, { status: 'done' })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  // Pushed to GitHub Issues or Jira through the server's outbox; the issue link appears once created.
  const push = useMutation({
    mutationFn: ({ itemId, tracker }: { itemId: string; tracker: 'github' | 'jira' }) =>
      raw('POST', `/api/v1/action-items/${itemId}/push`, checked(pushActionItemSchema, { tracker })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  return (
    <section aria-labelledby="action-items-title">
      <h2 id="action-items-title">Action items</h2>
      <ErrorNote error={items.error ?? finish.error ?? push.error} />
      {(items.data ?? []).length === 0 ? (
        <p className="empty">{items.isLoading ? 'Loading…' : 'No action items yet.'}</p>
      ) : (
        <ul className="plain">
          {(items.data ?? []).map((i) => (
            <li key={i.id} className="row">
              <span className={`badge ${i.overdue ? 'bad' : ''}`}>{i.overdue ? 'overdue' : i.status}</span>
              <strong>{i.title}</strong> {i.owner ?? 'no owner'} · {i.priority}
              {i.due_at && (
                <>
                  {' '}
                  · due <Time at={i.due_at} />
                </>
              )}
              {i.tracker_url && (
                <a href={i.tracker_url} rel="noreferrer noopener" target="_blank">
                  tracker
                </a>
              )}
              {editable &&
                !i.tracker_url &&
                (['github', 'jira'] as const).map((tracker) => (
                  <button
                    key={tracker}
                    type="button"
                    className="button small ghost"
                    onClick={() => push.mutate({ itemId: i.id, tracker })}
                  >
                    Push to {tracker === 'github' ? 'GitHub' : 'Jira'}{' '}
                    <span className="visually-hidden">{i.title}</span>
                  </button>
                ))}
              {editable && (i.status === 'open' || i.status === 'in_progress') && (
                <button type="button" className="button small ghost" onClick={() => finish.mutate(i.id)}>
                  Done <span className="visually-hidden">{i.title}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <label>
            Title <input value={title} onChange={(e) => setTitle(e.target.value)} required />
          </label>
          <label>
            Owner <input value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="handle" />
          </label>
          <label>
            Due <input type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
          </label>
          <button type="submit" className="button small">
            Add action item
          </button>
          <ErrorNote error={add.error} />
        </form>
      )}
    </section>
  );
}

/** An incident's post-mortem: sections to read and edit, review and publish, its action items. */
export default function PostmortemPage() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const { state } = useSession();
  const role = state.status === 'signed-in' ? state.user.role : 'viewer';
  const key = ['postmortem', id];
  const pm = useQuery({
    queryKey: key,
    queryFn: () =>
      raw<{ postmortem: Postmortem }>('GET', `/api/v1/postmortems/${id}`).then((a) => a.postmortem),
    retry: false,
  });
  const save = useMutation({
    mutationFn: (sections: Record<string, string>) =>
      raw('PATCH', `/api/v1/postmortems/${id}`, checked(editPostmortemSchema, { sections })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const categorise = useMutation({
    mutationFn: (category: string | null) =>
      raw(
        'PATCH',
        `/api/v1/postmortems/${id}`,
        checked(editPostmortemSchema, { root_cause_category: category }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const move = useMutation({
    mutationFn: (to: string) =>
      raw('POST', `/api/v1/postmortems/${id}/status`, checked(postmortemMoveSchema, { to })),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const p = pm.data;
  const editable = role !== 'viewer' && p?.status !== 'published';
  return (
    <section aria-labelledby="pm-title">
      <h1 id="pm-title">{p?.title ?? `Post-mortem of incident ${id}`}</h1>
      <ErrorNote error={pm.error ?? save.error ?? move.error} />
      {p && (
        <>
          <p className="row">
            <span className="badge">{p.status.replace('_', ' ')}</span>
            {p.overdue && <span className="badge bad">overdue</span>}
            {p.due_at && (
              <>
                due <Time at={p.due_at} />
              </>
            )}
            <Link to={`/incidents/${p.incident_id}`}>Incident #{p.incident_id}</Link>
            <a href={`/api/v1/postmortems/${p.incident_id}/markdown`} download>
              Export Markdown
            </a>
            <a href={`/api/v1/postmortems/${p.incident_id}/export?format=pdf`} download>
              Export PDF
            </a>
          </p>
          {role !== 'viewer' &&
            NEXT[p.status]
              .filter(([to]) => to !== 'published' || role === 'manager' || role === 'admin')
              .map(([to, label]) => (
                <button key={to} type="button" className="button" onClick={() => move.mutate(to)}>
                  {label}
                </button>
              ))}
          <RootCauseField
            key={p.root_cause_category ?? ''}
            value={p.root_cause_category}
            categories={p.root_cause_categories ?? []}
            editable={editable}
            saving={categorise.isPending}
            error={categorise.error}
            onSave={(category) => categorise.mutate(category)}
          />
          <ErrorNote error={categorise.error} shownFields={['root_cause_category']} />
          {p.sections.map((s) => (
            <SectionEditor
              key={s.id}
              section={s}
              editable={editable}
              saving={save.isPending}
              onSave={(body) => save.mutate({ [s.id]: body })}
            />
          ))}
          <MeetingSection incidentId={p.incident_id} editable={role !== 'viewer'} />
          <ActionItems incidentId={p.incident_id} editable={role !== 'viewer'} />
        </>
      )}
    </section>
  );
}

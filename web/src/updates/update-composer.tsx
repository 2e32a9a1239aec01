import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { answer, api } from '../api/client';
import { incidentChecks } from '../incidents/checks';
import { ErrorNote, Field, fieldError } from '../ui/field';

// The incident page's updates: a composer (the plan's template as a draft, one text per language side
// by side, the update's own status) and the list of updates with their approval state and the
// approve / request changes / publish buttons. The server decides every rule; this shows its answers.

export interface UpdateApproval {
  required: string[];
  approved: { requirement: string; by: string; at: string; comment: string }[];
  missing: string[];
  changes_requested: { by: string; at: string; comment: string }[];
}

export interface ListedUpdate {
  id: string;
  audience: 'internal' | 'external';
  state: string;
  status: 'pending_approval' | 'published';
  bodies: Record<string, string>;
  revision: number;
  created_by: string;
  approval: UpdateApproval;
  missing_languages: string[];
  publishable: boolean;
}

export interface UpdateDraft {
  audience: 'internal' | 'external';
  bodies: Record<string, string>;
  missing_languages: string[];
  status: string;
  statuses: string[];
}

/** What the server answers for a preview: guard-rail hits, and per language the page entry and email. */
export interface UpdatePreview {
  guard_rails: { language: string; pattern: string; match: string }[];
  status_page: Record<string, { title: string; status: string; body: string }>;
  email: Record<string, { subject: string; text: string }>;
}

const updatesKey = (id: string) => ['updates', id];

/** A change to an incident's updates; the updates, the incident (its timeline) and drafts refetch. */
function useUpdateAction<V>(incidentId: string, run: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: updatesKey(incidentId) }),
        client.invalidateQueries({ queryKey: ['incident', incidentId] }),
        client.invalidateQueries({ queryKey: ['update-draft', incidentId] }),
      ]),
  });
}

function useUpdates(incidentId: string) {
  return useQuery({
    queryKey: updatesKey(incidentId),
    queryFn: () =>
      answer<{ updates: ListedUpdate[] }>(
        api.GET('/api/v1/incidents/{id}/updates', { params: { path: { id: incidentId } } }),
      ).then((a) => a.updates),
  });
}

function useDraft(incidentId: string, audience: 'internal' | 'external') {
  return useQuery({
    queryKey: ['update-draft', incidentId, audience],
    queryFn: () =>
      answer<{ draft: UpdateDraft }>(
        api.GET('/api/v1/incidents/{id}/updates/draft', {
          params: { path: { id: incidentId }, query: { audience } },
        }),
      ).then((a) => a.draft),
  });
}

/** The languages to write in: the plan's (the draft's texts and those it misses), in that order. */
export function draftLanguages(
  draft: Pick<UpdateDraft, 'bodies' | 'missing_languages'> | undefined,
): string[] {
  if (!draft) return ['en'];
  const all = [...Object.keys(draft.bodies), ...draft.missing_languages];
  return all.length > 0 ? [...new Set(all)] : ['en'];
}

export function UpdateComposer({ incidentId }: { incidentId: string }) {
  const [audience, setAudience] = useState<'internal' | 'external'>('external');
  const draft = useDraft(incidentId, audience);
  const [bodies, setBodies] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const languages = draftLanguages(draft.data);
  const post = useUpdateAction(
    incidentId,
    async (body: { audience: 'internal' | 'external'; bodies: Record<string, string>; status?: string }) =>
      answer(
        api.POST('/api/v1/incidents/{id}/updates', {
          params: { path: { id: incidentId } },
          body: await incidentChecks.check('publishUpdateBodySchema', body),
        }),
      ),
  );
  // Nothing is stored: the server renders with the status page's and the subscriber mail's own code.
  const preview = useMutation({
    mutationFn: (body: {
      audience: 'internal' | 'external';
      bodies: Record<string, string>;
      status?: string;
    }) =>
      answer<UpdatePreview>(
        api.POST('/api/v1/incidents/{id}/updates/preview', { params: { path: { id: incidentId } }, body }),
      ),
  });
  const empty = languages.filter((l) => !(bodies[l] ?? '').trim());
  const filledBodies = () =>
    Object.fromEntries(Object.entries(bodies).filter(([, text]) => text.trim() !== ''));
  function submit(event: FormEvent) {
    event.preventDefault();
    const filled = filledBodies();
    post.mutate(
      { audience, bodies: filled, ...(status ? { status } : {}) },
      {
        onSuccess: () => {
          setBodies({});
          setStatus('');
        },
      },
    );
  }
  return (
    <form
      className="update-composer"
      onSubmit={submit}
      onFocus={incidentChecks.preload}
      aria-label="Compose an update"
    >
      <div className="row">
        <Field label="Audience">
          {(p) => (
            <select {...p} value={audience} onChange={(e) => setAudience(e.target.value as typeof audience)}>
              <option value="external">External (status page, subscribers)</option>
              <option value="internal">Internal (responders, stakeholders)</option>
            </select>
          )}
        </Field>
        <Field label="Status" error={fieldError(post.error, 'status')}>
          {(p) => (
            <select
              {...p}
              value={status || draft.data?.status || ''}
              onChange={(e) => setStatus(e.target.value)}
            >
              {(draft.data?.statuses ?? []).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button
          type="button"
          className="button ghost"
          disabled={!draft.data}
          onClick={() => setBodies({ ...(draft.data?.bodies ?? {}) })}
        >
          Use the plan’s template
        </button>
      </div>
      <div
        className="languages-side-by-side"
        style={{
          display: 'grid',
          gap: '1rem',
          gridTemplateColumns: `repeat(${languages.length}, minmax(0, 1fr))`,
        }}
      >
        {languages.map((lang) => (
          <Field key={lang} label={`Text (${lang})`} error={fieldError(post.error, `bodies.${lang}`)}>
            {(p) => (
              <textarea
                {...p}
                lang={lang}
                rows={6}
                value={bodies[lang] ?? ''}
                onChange={(e) => setBodies({ ...bodies, [lang]: e.target.value })}
              />
            )}
          </Field>
        ))}
      </div>
      {audience === 'external' && empty.length > 0 && (
        <p className="hint" data-testid="missing-languages">
          Still empty: {empty.join(', ')} — an external update needs every language.
        </p>
      )}
      {preview.data && <PreviewPanel preview={preview.data} />}
      <div className="row">
        <button
          type="button"
          className="button ghost"
          disabled={preview.isPending || Object.keys(filledBodies()).length === 0}
          onClick={() => preview.mutate({ audience, bodies: filledBodies(), ...(status ? { status } : {}) })}
        >
          Preview
        </button>
        <button type="submit" className="button primary" disabled={post.isPending}>
          Post update
        </button>
      </div>
      <ErrorNote error={preview.error} />
      <ErrorNote error={post.error} shownFields={[...languages.map((l) => `bodies.${l}`), 'status']} />
    </form>
  );
}

/**
 * The preview: the guard-rail warnings (the server refuses such text unless overridden with a
 * reason), then per language the status page entry and the email, as plain text.
 */
function PreviewPanel({ preview }: { preview: UpdatePreview }) {
  return (
    <div className="update-preview" data-testid="update-preview">
      {preview.guard_rails.length > 0 && (
        <div role="alert" className="note warn" data-testid="guard-rail-warnings">
          <p>This text may reveal internal details:</p>
          <ul>
            {preview.guard_rails.map((h) => (
              <li key={`${h.language}:${h.pattern}:${h.match}`}>
                {h.language}: {h.pattern} “{h.match}”
              </li>
            ))}
          </ul>
        </div>
      )}
      {Object.entries(preview.status_page).map(([lang, entry]) => (
        <div key={lang} lang={lang} className="card" data-testid={`preview-${lang}`}>
          <p className="muted">Status page ({lang})</p>
          <h3>{entry.title}</h3>
          <p>
            <b>{entry.status}</b> - {entry.body}
          </p>
          <p className="muted">Email ({lang})</p>
          <p>
            <strong>{preview.email[lang]?.subject}</strong>
          </p>
          <pre style={{ whiteSpace: 'pre-wrap' }}>{preview.email[lang]?.text}</pre>
        </div>
      ))}
    </div>
  );
}

function ApprovalState({ update }: { update: ListedUpdate }) {
  const { approval } = update;
  if (update.status === 'published') return <span className="tag ok">published</span>;
  return (
    <span data-testid={`approval-${update.id}`}>
      {approval.approved.map((a) => (
        <span key={a.requirement} className="tag ok">
          {a.requirement}: approved by {a.by}
        </span>
      ))}
      {approval.missing.map((m) => (
        <span key={m} className="tag warn">
          waiting for {m}
        </span>
      ))}
      {update.missing_languages.map((l) => (
        <span key={l} className="tag warn">
          no text in {l}
        </span>
      ))}
      {approval.changes_requested.map((c) => (
        <span key={`${c.by}${c.at}`} className="tag bad">
          changes requested by {c.by}: {c.comment}
        </span>
      ))}
    </span>
  );
}

function UpdateReview({ incidentId, update }: { incidentId: string; update: ListedUpdate }) {
  const [comment, setComment] = useState('');
  const path = { id: incidentId, update: update.id };
  const approve = useUpdateAction(incidentId, async () =>
    answer(
      api.POST('/api/v1/incidents/{id}/updates/{update}/approve', {
        params: { path },
        body: await incidentChecks.check('approveBodySchema', { comment }),
      }),
    ),
  );
  const requestChanges = useUpdateAction(incidentId, async () =>
    answer(
      api.POST('/api/v1/incidents/{id}/updates/{update}/request-changes', {
        params: { path },
        body: await incidentChecks.check('requestChangesBodySchema', { comment }),
      }),
    ),
  );
  const publish = useUpdateAction(incidentId, () =>
    answer(api.POST('/api/v1/incidents/{id}/updates/{update}/publish', { params: { path } })),
  );
  if (update.status === 'published') return null;
  return (
    <div className="row">
      <label>
        <span className="visually-hidden">Comment</span>
        <input value={comment} placeholder="Comment" onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="button" className="button" onClick={() => approve.mutate(undefined)}>
        Approve
      </button>
      <button type="button" className="button ghost" onClick={() => requestChanges.mutate(undefined)}>
        Request changes
      </button>
      <button
        type="button"
        className="button primary"
        disabled={!update.publishable}
        onClick={() => publish.mutate(undefined)}
      >
        Publish
      </button>
      <ErrorNote error={approve.error ?? requestChanges.error ?? publish.error} />
    </div>
  );
}

export function UpdateList({ incidentId }: { incidentId: string }) {
  const updates = useUpdates(incidentId);
  if (updates.isLoading) return <p className="muted">Loading updates…</p>;
  if (!updates.data) return <ErrorNote error={updates.error} />;
  if (updates.data.length === 0) return <p className="muted">No updates yet.</p>;
  return (
    <ol className="updates">
      {[...updates.data].reverse().map((u) => (
        <li key={u.id} className="card">
          <p>
            <strong>{u.audience}</strong> · {u.state} · revision {u.revision} by {u.created_by}{' '}
            <ApprovalState update={u} />
          </p>
          <div
            style={{
              display: 'grid',
              gap: '1rem',
              gridTemplateColumns: `repeat(${Math.max(1, Object.keys(u.bodies).length)}, minmax(0, 1fr))`,
            }}
          >
            {Object.entries(u.bodies).map(([lang, text]) => (
              <p key={lang} lang={lang}>
                <span className="muted">{lang}: </span>
                {text}
              </p>
            ))}
          </div>
          <UpdateReview incidentId={incidentId} update={u} />
        </li>
      ))}
    </ol>
  );
}

/** The incident page's section: the composer for those who may post, and every update. */
export function UpdatesSection({ incidentId, canAct }: { incidentId: string; canAct: boolean }) {
  return (
    <section aria-labelledby="updates-title">
      <h2 id="updates-title">Updates</h2>
      {canAct && <UpdateComposer incidentId={incidentId} />}
      <UpdateList incidentId={incidentId} />
    </section>
  );
}

import { type FormEvent, useState } from 'react';
import { answer, api } from '../api/client';
import type { IncidentDetail, PlanDocument } from '../api/models';
import { useUsers } from '../api/shared-queries';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { UserOptions } from '../ui/user-options';
import { incidentChecks } from './checks';
import { useIncidentAction } from './queries';
import { SeverityPicker } from './severity-picker';

// The actions on one incident. Each form keeps what was typed when the API refuses it and shows the
// API's reason beside the field it names.

function roleIds(plan: PlanDocument | undefined): string[] {
  return (plan?.roles ?? []).map((r) => (typeof r === 'string' ? r : r.id));
}

export function AcknowledgeButton({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const ack = useIncidentAction(id, () =>
    answer(api.POST('/api/v1/incidents/{id}/acknowledge', { params: { path: { id } }, body: {} })),
  );
  if (detail.incident.acknowledged_at || detail.incident.resolved_at) return null;
  return (
    <>
      <button
        type="button"
        className="button primary"
        disabled={ack.isPending}
        onClick={() => ack.mutate(undefined)}
      >
        Acknowledge
      </button>
      <ErrorNote error={ack.error} />
    </>
  );
}

export function AssignRoleForm({ detail, plan }: { detail: IncidentDetail; plan: PlanDocument | undefined }) {
  const id = detail.incident.id;
  const roles = roleIds(plan);
  const [role, setRole] = useState('');
  const [user, setUser] = useState('');
  const assign = useIncidentAction(id, async (body: { role: string; user: string }) =>
    answer(
      api.POST('/api/v1/incidents/{id}/roles', {
        params: { path: { id } },
        body: await incidentChecks.check('assignRoleBodySchema', body),
      }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    assign.mutate({ role: role || roles[0] || '', user });
  }
  return (
    <form
      className="inline-form"
      onSubmit={submit}
      onFocus={incidentChecks.preload}
      aria-label="Assign a role"
    >
      <Field label="Role" error={fieldError(assign.error, 'role')}>
        {(p) => (
          <select {...p} value={role || roles[0] || ''} onChange={(e) => setRole(e.target.value)}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Person" error={fieldError(assign.error, 'user')}>
        {(p) => (
          <select {...p} required value={user} onChange={(e) => setUser(e.target.value)}>
            <option value="">Choose…</option>
            <UserOptions />
          </select>
        )}
      </Field>
      <button type="submit" className="button" disabled={assign.isPending}>
        Assign
      </button>
      <ErrorNote error={assign.error} shownFields={['role', 'user']} />
    </form>
  );
}

export function SeverityForm({ detail, plan }: { detail: IncidentDetail; plan: PlanDocument | undefined }) {
  const id = detail.incident.id;
  const [severity, setSeverity] = useState(detail.incident.severity);
  const [reason, setReason] = useState('');
  const change = useIncidentAction(id, async (body: { severity: string; reason: string }) =>
    answer(
      api.POST('/api/v1/incidents/{id}/severity', {
        params: { path: { id } },
        body: await incidentChecks.check('severityBodySchema', body),
      }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ severity, reason }, { onSuccess: () => setReason('') });
  }
  return (
    <form className="stack" onSubmit={submit} onFocus={incidentChecks.preload} aria-label="Change severity">
      <SeverityPicker
        name="severity"
        severities={plan?.severities ?? []}
        value={severity}
        onChange={setSeverity}
        error={fieldError(change.error, 'severity')}
      />
      <Field label="Reason" error={fieldError(change.error, 'reason')}>
        {(p) => <input {...p} required value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button
        type="submit"
        className="button"
        disabled={change.isPending || severity === detail.incident.severity}
      >
        Change severity
      </button>
      <ErrorNote error={change.error} shownFields={['severity', 'reason']} />
    </form>
  );
}

export function StateForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const allowed = detail.allowed_states ?? [];
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const move = useIncidentAction(id, async (body: { to: string; reason?: string }) =>
    answer(
      api.POST('/api/v1/incidents/{id}/transition', {
        params: { path: { id } },
        body: await incidentChecks.check('transitionBodySchema', body),
      }),
    ),
  );
  if (allowed.length === 0) return null;
  const target = to && allowed.includes(to) ? to : (allowed[0] ?? '');
  function submit(event: FormEvent) {
    event.preventDefault();
    move.mutate({ to: target, ...(reason ? { reason } : {}) }, { onSuccess: () => setReason('') });
  }
  return (
    <form className="inline-form" onSubmit={submit} onFocus={incidentChecks.preload} aria-label="Move state">
      <Field label="Move to" error={fieldError(move.error, 'to')}>
        {(p) => (
          <select {...p} value={target} onChange={(e) => setTo(e.target.value)}>
            {allowed.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Reason (optional)" error={fieldError(move.error, 'reason')}>
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="button" disabled={move.isPending}>
        Move
      </button>
      <ErrorNote error={move.error} shownFields={['to', 'reason']} />
    </form>
  );
}

export function NoteForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const [text, setText] = useState('');
  const note = useIncidentAction(id, async (body: { text: string }) =>
    answer(
      api.POST('/api/v1/incidents/{id}/notes', {
        params: { path: { id } },
        body: await incidentChecks.check('noteBodySchema', body),
      }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    note.mutate({ text }, { onSuccess: () => setText('') });
  }
  return (
    <form className="stack" onSubmit={submit} onFocus={incidentChecks.preload} aria-label="Add a note">
      <Field label="Note" error={fieldError(note.error, 'text')}>
        {(p) => <textarea {...p} rows={2} required value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <button type="submit" className="button" disabled={note.isPending}>
        Add note
      </button>
      <ErrorNote error={note.error} shownFields={['text']} />
    </form>
  );
}

export function ResponderForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const users = useUsers();
  const [responder, setResponder] = useState('');
  const [user, setUser] = useState('');
  const add = useIncidentAction(id, async (body: { responder: string; user?: string }) =>
    answer(
      api.POST('/api/v1/incidents/{id}/responders', {
        params: { path: { id } },
        body: await incidentChecks.check('responderBodySchema', body),
      }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ responder, ...(user ? { user } : {}) }, { onSuccess: () => setResponder('') });
  }
  return (
    <form
      className="inline-form"
      onSubmit={submit}
      onFocus={incidentChecks.preload}
      aria-label="Add a responder"
    >
      <Field label="Responder (role, team or group)" error={fieldError(add.error, 'responder')}>
        {(p) => <input {...p} required value={responder} onChange={(e) => setResponder(e.target.value)} />}
      </Field>
      <Field label="Person (optional)" error={fieldError(add.error, 'user')}>
        {(p) => (
          <select {...p} value={user} onChange={(e) => setUser(e.target.value)}>
            <option value="">Nobody yet</option>
            {(users.data ?? []).map((u) => (
              <option key={u.handle} value={u.handle}>
                {u.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button" disabled={add.isPending}>
        Add responder
      </button>
      <ErrorNote error={add.error} shownFields={['responder', 'user']} />
    </form>
  );
}

export function PageForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const [target, setTarget] = useState('');
  const [message, setMessage] = useState(`Please join incident #${id}: ${detail.incident.title}`);
  const page = useIncidentAction(id, async (body: { target: string; message: string; incident: string }) =>
    answer(api.POST('/api/v1/pages', { body: await incidentChecks.check('pageInputSchema', body) })),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    page.mutate({ target, message, incident: id }, { onSuccess: () => setTarget('') });
  }
  return (
    <form
      className="inline-form"
      onSubmit={submit}
      onFocus={incidentChecks.preload}
      aria-label="Page someone"
    >
      <Field
        label="Who to page"
        hint="user:<handle>, schedule:<name>, team:<name> or policy:<name>"
        error={fieldError(page.error, 'target')}
      >
        {(p) => <input {...p} required value={target} onChange={(e) => setTarget(e.target.value)} />}
      </Field>
      <Field label="Message" error={fieldError(page.error, 'message')}>
        {(p) => <input {...p} required value={message} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      <button type="submit" className="button" disabled={page.isPending}>
        Page
      </button>
      <ErrorNote error={page.error} shownFields={['target', 'message']} />
    </form>
  );
}

export function ResolveForm({ detail }: { detail: IncidentDetail }) {
  const id = detail.incident.id;
  const [resolution, setResolution] = useState('');
  const resolve = useIncidentAction(id, async (body: { resolution?: string }) =>
    answer(
      api.POST('/api/v1/incidents/{id}/resolve', {
        params: { path: { id } },
        body: await incidentChecks.check('resolveBodySchema', body),
      }),
    ),
  );
  if (detail.incident.resolved_at) return null;
  function submit(event: FormEvent) {
    event.preventDefault();
    resolve.mutate(resolution ? { resolution } : {});
  }
  return (
    <form className="stack" onSubmit={submit} onFocus={incidentChecks.preload} aria-label="Resolve">
      <Field label="Resolution" error={fieldError(resolve.error, 'resolution')}>
        {(p) => (
          <textarea {...p} rows={2} value={resolution} onChange={(e) => setResolution(e.target.value)} />
        )}
      </Field>
      <button type="submit" className="button danger" disabled={resolve.isPending}>
        Resolve incident
      </button>
      <ErrorNote error={resolve.error} shownFields={['resolution']} />
    </form>
  );
}

export function ChecklistItemBox({
  incidentId,
  item,
  disabled,
}: {
  incidentId: string;
  item: { id: string; text: string; done_at: string | null; done_by: string | null };
  disabled: boolean;
}) {
  const tick = useIncidentAction(incidentId, (done: boolean) =>
    answer(
      api.PATCH('/api/v1/incidents/{id}/checklist/{itemId}', {
        params: { path: { id: incidentId, itemId: item.id } },
        body: { done },
      }),
    ),
  );
  // Shown as ticked at once, until the incident is read again (or the API refuses: then as it was).
  const [optimistic, setOptimistic] = useState<boolean | null>(null);
  const done = optimistic ?? Boolean(item.done_at);
  function change(next: boolean) {
    setOptimistic(next);
    tick.mutate(next, { onSettled: () => setOptimistic(null) });
  }
  return (
    <li>
      <label className="check">
        <input
          type="checkbox"
          checked={done}
          disabled={disabled || tick.isPending}
          onChange={(e) => change(e.target.checked)}
        />
        <span>{item.text}</span>
        {item.done_by && <span className="muted small"> — {item.done_by}</span>}
      </label>
      {tick.error ? <ErrorNote error={tick.error} /> : null}
    </li>
  );
}

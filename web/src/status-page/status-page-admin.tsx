import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  componentInputSchema,
  componentStatusInputSchema,
  maintenanceInputSchema,
} from '../../../src/domain/status-page/inputs.ts';
import { answer, api } from '../api/client';
import { checked } from '../api/validate';
import { useCan } from '../auth/session';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { Time } from '../ui/time';

// The status page's admin screen: components (status, new ones), maintenance (scheduled, updated),
// and subscribers (who gets notices; remove one). The public page itself is /status.

export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export interface AdminComponent {
  id: string;
  name: string;
  group: string | null;
  group_component: boolean;
  status: ComponentStatus;
}
export interface AdminMaintenance {
  id: string;
  name: string;
  status: string;
  emergency: boolean;
  scheduled_for: string;
  scheduled_until: string | null;
  components: string[];
}
export interface Subscriber {
  id: string;
  mode: 'email' | 'webhook';
  address: string;
  status: 'pending' | 'active' | 'unsubscribed';
  language: string | null;
  components: string[];
  created_at: string;
}
interface Config {
  settings: { name: string; languages: string[] };
  components: AdminComponent[];
  maintenances: AdminMaintenance[];
}

const CONFIG = ['status-page'];
const SUBSCRIBERS = ['status-page-subscribers'];

function useConfig() {
  return useQuery({ queryKey: CONFIG, queryFn: () => answer<Config>(api.GET('/api/v1/status-page')) });
}

function useSubscribers(enabled: boolean) {
  return useQuery({
    queryKey: SUBSCRIBERS,
    enabled,
    queryFn: () =>
      answer<{ subscribers: Subscriber[] }>(
        api.GET('/api/v1/status-page/subscribers', { params: { query: { limit: 1000 } } }),
      ).then((a) => a.subscribers),
  });
}

function useChange<V>(run: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: CONFIG }),
        client.invalidateQueries({ queryKey: SUBSCRIBERS }),
      ]),
  });
}

function ComponentRow({ c, canStatus }: { c: AdminComponent; canStatus: boolean }) {
  const set = useChange((status: ComponentStatus) =>
    answer(
      api.POST('/api/v1/status-page/components/{name}/status', {
        params: { path: { name: c.name } },
        body: checked(componentStatusInputSchema, { status }),
      }),
    ),
  );
  return (
    <tr>
      <td>{c.group_component ? `${c.name} (group)` : c.name}</td>
      <td>{c.group ?? ''}</td>
      <td>
        {canStatus && !c.group_component ? (
          <label>
            <span className="visually-hidden">Status of {c.name}</span>
            <select
              value={c.status}
              disabled={set.isPending}
              onChange={(e) => set.mutate(e.target.value as ComponentStatus)}
            >
              {COMPONENT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        ) : (
          c.status
        )}
        <ErrorNote error={set.error} />
      </td>
    </tr>
  );
}

function AddComponentForm() {
  const [name, setName] = useState('');
  const [group, setGroup] = useState('');
  const add = useChange((body: { name: string; group: string | null }) =>
    answer(
      api.PUT('/api/v1/status-page/components/{name}', {
        params: { path: { name: body.name } },
        // The name travels in the path; checked with the body so a bad one shows beside its field.
        body: { group: checked(componentInputSchema, body).group },
      }),
    ),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ name: name.trim(), group: group.trim() || null }, { onSuccess: () => setName('') });
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a component">
      <Field label="Component" error={fieldError(add.error, 'name')}>
        {(p) => <input {...p} value={name} required onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Group (optional)" error={fieldError(add.error, 'group')}>
        {(p) => <input {...p} value={group} onChange={(e) => setGroup(e.target.value)} />}
      </Field>
      <button type="submit" className="button">
        Add component
      </button>
      <ErrorNote error={add.error} shownFields={['name', 'group']} />
    </form>
  );
}

function MaintenanceForm({ languages }: { languages: string[] }) {
  const [name, setName] = useState('');
  const [components, setComponents] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [bodies, setBodies] = useState<Record<string, string>>({});
  const langs = languages.length > 0 ? languages : ['en'];
  const schedule = useChange(() => {
    const filled = Object.fromEntries(Object.entries(bodies).filter(([, t]) => t.trim() !== ''));
    return answer(
      api.POST('/api/v1/status-page/maintenances', {
        body: checked(maintenanceInputSchema, {
          name,
          components: components
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean),
          ...(start ? { scheduled_for: new Date(start).toISOString() } : {}),
          ...(end ? { scheduled_until: new Date(end).toISOString() } : {}),
          ...(Object.keys(filled).length > 0 ? { bodies: filled } : {}),
        }),
      }),
    );
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    schedule.mutate(undefined, { onSuccess: () => setName('') });
  }
  return (
    <form onSubmit={submit} aria-label="Schedule maintenance">
      <Field label="Maintenance name" error={fieldError(schedule.error, 'name')}>
        {(p) => <input {...p} value={name} required onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Components (comma-separated)" error={fieldError(schedule.error, 'components.0')}>
        {(p) => <input {...p} value={components} onChange={(e) => setComponents(e.target.value)} />}
      </Field>
      <Field label="Starts" error={fieldError(schedule.error, 'scheduled_for')}>
        {(p) => (
          <input {...p} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
        )}
      </Field>
      <Field label="Ends" error={fieldError(schedule.error, 'scheduled_until')}>
        {(p) => <input {...p} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />}
      </Field>
      {langs.map((lang) => (
        <Field key={lang} label={`Announcement (${lang})`}>
          {(p) => (
            <textarea
              {...p}
              lang={lang}
              value={bodies[lang] ?? ''}
              onChange={(e) => setBodies({ ...bodies, [lang]: e.target.value })}
            />
          )}
        </Field>
      ))}
      <button type="submit" className="button">
        Schedule
      </button>
      <ErrorNote
        error={schedule.error}
        shownFields={['name', 'components.0', 'scheduled_for', 'scheduled_until']}
      />
    </form>
  );
}

function SubscriberList() {
  const subscribers = useSubscribers(true);
  const remove = useChange((id: string) =>
    answer(api.DELETE('/api/v1/status-page/subscribers/{id}', { params: { path: { id } } })),
  );
  if (subscribers.isLoading) return <p className="muted">Loading subscribers…</p>;
  if (!subscribers.data) return <ErrorNote error={subscribers.error} />;
  if (subscribers.data.length === 0) return <p className="muted">Nobody has subscribed yet.</p>;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>Address</th>
            <th>Mode</th>
            <th>Status</th>
            <th>Language</th>
            <th>Components</th>
            <th>Since</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {subscribers.data.map((s) => (
            <tr key={s.id}>
              <td>{s.address}</td>
              <td>{s.mode}</td>
              <td>{s.status}</td>
              <td>{s.language ?? ''}</td>
              <td>{s.components.join(', ') || 'all'}</td>
              <td>
                <Time at={s.created_at} />
              </td>
              <td>
                {s.status !== 'unsubscribed' && (
                  <button type="button" className="button ghost" onClick={() => remove.mutate(s.id)}>
                    Remove <span className="visually-hidden">{s.address}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={remove.error} />
    </>
  );
}

export default function StatusPageAdmin() {
  const config = useConfig();
  const canWrite = useCan('status-page:write');
  const canStatus = useCan('status-page:status');
  if (config.isLoading) return <p className="muted">Loading the status page…</p>;
  if (!config.data) return <ErrorNote error={config.error} />;
  const { settings, components, maintenances } = config.data;
  return (
    <article aria-labelledby="status-admin-title">
      <h1 id="status-admin-title">Status page: {settings.name}</h1>
      <p>
        <a href="/status">Open the public page</a>
      </p>
      <section aria-labelledby="components-title">
        <h2 id="components-title">Components</h2>
        <table>
          <thead>
            <tr>
              <th>Component</th>
              <th>Group</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {components.map((c) => (
              <ComponentRow key={c.id} c={c} canStatus={canStatus} />
            ))}
          </tbody>
        </table>
        {canWrite && <AddComponentForm />}
      </section>
      <section aria-labelledby="maintenance-title">
        <h2 id="maintenance-title">Maintenance</h2>
        {maintenances.length === 0 ? (
          <p className="muted">No maintenance in the last 30 days.</p>
        ) : (
          <ul>
            {maintenances.map((m) => (
              <li key={m.id}>
                <strong>{m.name}</strong> · {m.status} · <Time at={m.scheduled_for} />
                {m.components.length > 0 && ` · ${m.components.join(', ')}`}
              </li>
            ))}
          </ul>
        )}
        {canWrite && <MaintenanceForm languages={settings.languages} />}
      </section>
      {canWrite && (
        <section aria-labelledby="subscribers-title">
          <h2 id="subscribers-title">Subscribers</h2>
          <SubscriberList />
        </section>
      )}
    </article>
  );
}

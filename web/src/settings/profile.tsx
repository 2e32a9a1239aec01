import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  contactMethodInputSchema,
  notificationRulesInputSchema,
} from '../../../src/domain/contacts/contact-input.ts';
import { profilePatchSchema } from '../../../src/domain/users/profile.ts';
import { answer, api, raw } from '../api/client';
import type { ContactMethod, SessionUser } from '../api/models';
import { checked } from '../api/validate';
import { useSession, useUser, useViewerZone } from '../auth/session';
import { ErrorNote, Field, fieldError } from '../ui/field';

interface Rules {
  user: string;
  time_zone: string;
  rules: { contact_method_id: string; contact: string; kind: string; after: string }[];
  quiet_hours: { start: string; end: string } | null;
}

const KINDS = ['email', 'sms', 'voice', 'push', 'slack'] as const;

/** My profile: name and time zone, contact methods (add, verify with the code, send a test code), notification rules, quiet hours. */
export function Profile() {
  const user = useUser();
  const zone = useViewerZone();
  const handle = user.handle ?? user.name;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Signed in as</dt>
          <dd>
            {user.name} ({handle})
          </dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{user.role}</dd>
        </div>
        <div>
          <dt>Times shown in</dt>
          <dd>{zone}</dd>
        </div>
      </dl>
      <ProfileForm />
      <ContactMethods handle={handle} />
      <NotificationRules handle={handle} />
    </>
  );
}

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

/** My name and time zone: checked with the API's schema before sending, the server checks again. */
function ProfileForm() {
  const user = useUser();
  const { updated } = useSession();
  const [name, setName] = useState(user.name);
  const [zone, setZone] = useState(user.time_zone ?? 'UTC');
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (body: { name: string; time_zone: string }) =>
      answer<{ user: SessionUser }>(api.PATCH('/api/v1/me', { body: checked(profilePatchSchema, body) })),
    onSuccess: (a) => {
      updated(a.user);
      setSaved(true);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    save.mutate({ name, time_zone: zone });
  }
  return (
    <section aria-labelledby="me-title">
      <h2 id="me-title">Name and time zone</h2>
      <form className="inline-form" onSubmit={submit} aria-label="Edit my profile" noValidate>
        <Field label="Name" error={fieldError(save.error, 'name')}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field
          label="Time zone"
          error={fieldError(save.error, 'time_zone')}
          hint="An IANA zone such as Africa/Addis_Ababa; times are shown in it"
        >
          {(p) => <input {...p} list="time-zones" value={zone} onChange={(e) => setZone(e.target.value)} />}
        </Field>
        <datalist id="time-zones">
          {ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <button type="submit" className="button" disabled={save.isPending}>
          Save
        </button>
        {saved && <span role="status">Saved.</span>}
        <ErrorNote error={save.error} shownFields={['name', 'time_zone']} />
      </form>
    </section>
  );
}

function ContactMethods({ handle }: { handle: string }) {
  const client = useQueryClient();
  const path = { handle };
  const methods = useQuery({
    queryKey: ['contacts', handle],
    queryFn: () =>
      answer<{ contact_methods: ContactMethod[] }>(
        api.GET('/api/v1/users/{handle}/contact-methods', { params: { path } }),
      ).then((a) => a.contact_methods),
  });
  const [kind, setKind] = useState<(typeof KINDS)[number]>('email');
  const [address, setAddress] = useState('');
  const [label, setLabel] = useState('');
  const add = useMutation({
    mutationFn: () =>
      answer(
        api.POST('/api/v1/users/{handle}/contact-methods', {
          params: { path },
          body: checked(contactMethodInputSchema, { kind, address, ...(label ? { label } : {}) }),
        }),
      ),
    onSuccess: () => {
      setAddress('');
      setLabel('');
      void client.invalidateQueries({ queryKey: ['contacts', handle] });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate();
  }
  return (
    <section aria-labelledby="contacts-title">
      <h2 id="contacts-title">Contact methods</h2>
      <ErrorNote error={methods.error} />
      <ul className="plain">
        {(methods.data ?? []).map((m) => (
          <ContactRow key={m.id} handle={handle} method={m} />
        ))}
      </ul>
      <form className="inline-form" onSubmit={submit} aria-label="Add a contact method">
        <Field label="Kind" error={fieldError(add.error, 'kind')}>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
              {KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Address" error={fieldError(add.error, 'address')}>
          {(p) => <input {...p} required value={address} onChange={(e) => setAddress(e.target.value)} />}
        </Field>
        <Field label="Label (optional)" error={fieldError(add.error, 'label')}>
          {(p) => <input {...p} value={label} onChange={(e) => setLabel(e.target.value)} />}
        </Field>
        <button type="submit" className="button">
          Add
        </button>
        <ErrorNote error={add.error} shownFields={['kind', 'address', 'label']} />
      </form>
    </section>
  );
}

function ContactRow({ handle, method }: { handle: string; method: ContactMethod }) {
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const base = `/api/v1/users/${encodeURIComponent(handle)}/contact-methods/${encodeURIComponent(method.id)}`;
  const sendCode = useMutation({
    mutationFn: () => raw('POST', `${base}/send-code`),
    onSuccess: () => setSent(true),
  });
  const verify = useMutation({
    mutationFn: () => raw('POST', `${base}/verify`, { code }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['contacts', handle] }),
  });
  return (
    <li className="card">
      <strong>{method.kind}</strong> <code>{method.address}</code>{' '}
      {method.label && <span className="muted">({method.label})</span>}{' '}
      <span className={`badge ${method.verified ? 'ok' : 'warn'}`}>
        {method.verified ? 'verified' : 'not verified'}
      </span>
      <div className="inline-form">
        <button type="button" className="button small" onClick={() => sendCode.mutate()}>
          {method.verified ? 'Send a test' : 'Send a code'}
        </button>
        {sent && <span role="status">Sent.</span>}
        {!method.verified && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              verify.mutate();
            }}
          >
            <Field label="Code" error={fieldError(verify.error, 'code')}>
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  size={8}
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="button small">
              Verify
            </button>
          </form>
        )}
      </div>
      <ErrorNote error={sendCode.error ?? verify.error} shownFields={['code']} />
    </li>
  );
}

function NotificationRules({ handle }: { handle: string }) {
  const client = useQueryClient();
  const rules = useQuery({
    queryKey: ['notification-rules', handle],
    queryFn: () =>
      answer<{ notification_rules: Rules }>(
        api.GET('/api/v1/users/{handle}/notification-rules', { params: { path: { handle } } }),
      ).then((a) => a.notification_rules),
  });
  const [edit, setEdit] = useState<Rules | null>(null);
  const shown = edit ?? rules.data;
  const save = useMutation({
    mutationFn: (r: Rules) =>
      answer(
        api.PUT('/api/v1/users/{handle}/notification-rules', {
          params: { path: { handle } },
          body: checked(notificationRulesInputSchema, {
            rules: r.rules.map((x) => ({ contact_method_id: x.contact_method_id, after: x.after })),
            quiet_hours: r.quiet_hours,
          }),
        }),
      ),
    onSuccess: () => {
      setEdit(null);
      void client.invalidateQueries({ queryKey: ['notification-rules', handle] });
    },
  });
  if (!shown) return <ErrorNote error={rules.error} />;
  const update = (next: Partial<Rules>) => setEdit({ ...shown, ...next });
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Notification rules</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(shown);
        }}
      >
        {shown.rules.length === 0 && <p className="muted">No rules: pages reach you on no channel.</p>}
        {shown.rules.map((r, i) => (
          <Field
            key={r.contact_method_id}
            label={`${r.kind} ${r.contact}: after`}
            error={fieldError(save.error, `rules.${i}.after`)}
          >
            {(p) => (
              <input
                {...p}
                value={r.after}
                size={6}
                onChange={(e) =>
                  update({
                    rules: shown.rules.map((x, j) => (j === i ? { ...x, after: e.target.value } : x)),
                  })
                }
              />
            )}
          </Field>
        ))}
        <fieldset>
          <legend>Quiet hours ({shown.time_zone})</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={Boolean(shown.quiet_hours)}
              onChange={(e) =>
                update({ quiet_hours: e.target.checked ? { start: '22:00', end: '07:00' } : null })
              }
            />
            Hold non-urgent notifications at night
          </label>
          {shown.quiet_hours && (
            <div className="inline-form">
              <Field label="From" error={fieldError(save.error, 'quiet_hours.start')}>
                {(p) => (
                  <input
                    {...p}
                    type="time"
                    value={shown.quiet_hours?.start ?? ''}
                    onChange={(e) =>
                      update({ quiet_hours: { start: e.target.value, end: shown.quiet_hours?.end ?? '' } })
                    }
                  />
                )}
              </Field>
              <Field label="To" error={fieldError(save.error, 'quiet_hours.end')}>
                {(p) => (
                  <input
                    {...p}
                    type="time"
                    value={shown.quiet_hours?.end ?? ''}
                    onChange={(e) =>
                      update({ quiet_hours: { start: shown.quiet_hours?.start ?? '', end: e.target.value } })
                    }
                  />
                )}
              </Field>
            </div>
          )}
        </fieldset>
        <button type="submit" className="button" disabled={!edit || save.isPending}>
          Save rules
        </button>
        <ErrorNote error={save.error} />
      </form>
    </section>
  );
}
